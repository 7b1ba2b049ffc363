-- Live monitoring of the defence: alert rules over the monitored series, rule alerts that are resolved (not only
-- acknowledged), and emergency levers: time-boxed overrides an analyst pulls from an alert.
CREATE TABLE alert_rules (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  series TEXT NOT NULL,
  merchant_id TEXT REFERENCES merchants (id),
  -- Only orders shipping to an address not on file for the account (the typical account-takeover pattern).
  new_address_only BOOLEAN NOT NULL DEFAULT FALSE,
  kind TEXT NOT NULL CHECK (kind IN ('threshold', 'change')),
  -- threshold: the value in the window is at least this; change: the value is at least this many times last week's.
  threshold DOUBLE PRECISION NOT NULL,
  -- change rules ignore windows with fewer events than this, so one order against none is no "doubling".
  minimum_count INTEGER NOT NULL DEFAULT 1,
  window_minutes INTEGER NOT NULL CHECK (window_minutes BETWEEN 1 AND 1440),
  enabled BOOLEAN NOT NULL DEFAULT TRUE,
  created_by TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  last_evaluated_at TIMESTAMPTZ
);

ALTER TABLE protection_alerts ADD COLUMN rule_id TEXT REFERENCES alert_rules (id);
ALTER TABLE protection_alerts ADD COLUMN resolved_at TIMESTAMPTZ;
ALTER TABLE protection_alerts ADD COLUMN resolved_by TEXT;
-- At most one unresolved alert per rule: the evaluator raises (and notifies) once until someone resolves it.
CREATE UNIQUE INDEX protection_alerts_open_rule ON protection_alerts (rule_id) WHERE rule_id IS NOT NULL AND resolved_at IS NULL;

CREATE TABLE emergency_levers (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  alert_id TEXT REFERENCES protection_alerts (id),
  merchant_id TEXT NOT NULL REFERENCES merchants (id),
  action TEXT NOT NULL CHECK (action IN ('step_up', 'review')),
  new_address_only BOOLEAN NOT NULL,
  minimum_amount BIGINT,
  pulled_by TEXT NOT NULL,
  pulled_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  ended_at TIMESTAMPTZ,
  ended_by TEXT,
  end_reason TEXT CHECK (end_reason IN ('expired', 'released'))
);
CREATE INDEX emergency_levers_open ON emergency_levers (merchant_id) WHERE ended_at IS NULL;

-- Every process serving decisions drops its lever cache when a lever is pulled or ends anywhere. The function is
-- the one 160 defines; it is (re)defined here because this migration may run first on a fresh database.
CREATE OR REPLACE FUNCTION rearguard_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('rearguard_changes', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS emergency_levers_notify ON emergency_levers;
CREATE TRIGGER emergency_levers_notify AFTER INSERT OR UPDATE OR DELETE ON emergency_levers
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_change();

-- The monitored series read windows of these by time.
CREATE INDEX challenges_created ON challenges (created_at);
CREATE INDEX claims_created ON claims (created_at);
CREATE INDEX outbox_backlog ON outbox (topic) WHERE status IN ('pending', 'held');
