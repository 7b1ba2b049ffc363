-- Rulesets gain a shadow (one candidate evaluated beside the active one on live traffic, never answering) and an
-- activation history, so a rollback knows which version was active before.
ALTER TABLE rulesets ADD COLUMN shadow BOOLEAN NOT NULL DEFAULT false;
CREATE UNIQUE INDEX rulesets_one_shadow ON rulesets (shadow) WHERE shadow;

CREATE TABLE ruleset_activations (
  seq BIGSERIAL PRIMARY KEY,
  version TEXT NOT NULL REFERENCES rulesets (version),
  previous TEXT REFERENCES rulesets (version),
  kind TEXT NOT NULL CHECK (kind IN ('activate', 'rollback')),
  activated_at TIMESTAMPTZ NOT NULL
);

-- The would-be outcome of the shadow ruleset, written in the decision's own transaction (one row per decision).
CREATE TABLE ruleset_shadow_outcomes (
  decision_id TEXT PRIMARY KEY REFERENCES decisions (id),
  ruleset_version TEXT NOT NULL,
  active_version TEXT NOT NULL,
  outcome TEXT NOT NULL,
  active_outcome TEXT NOT NULL,
  rule_hits JSONB NOT NULL,
  decided_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ruleset_shadow_outcomes_version ON ruleset_shadow_outcomes (ruleset_version, decided_at);
