-- Buyer protection: consumers' claims, the cases analysts work on (with evidence, SLA and an audit trail),
-- flags on entities linked to confirmed fraud, and alerts (SLA breaches). Invoices remember what a pause interrupted.
ALTER TABLE invoices ADD COLUMN paused_at TIMESTAMPTZ;
ALTER TABLE invoices ADD COLUMN paused_from TEXT;

CREATE TABLE claims (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders (id),
  account_id TEXT NOT NULL REFERENCES accounts (id),
  kind TEXT NOT NULL CHECK (kind IN ('not_mine', 'not_received', 'returned')),
  source TEXT NOT NULL CHECK (source IN ('portal', 'notice', 'api')),
  message TEXT,
  status TEXT NOT NULL CHECK (status IN ('open', 'upheld', 'rejected')),
  created_at TIMESTAMPTZ NOT NULL,
  resolved_at TIMESTAMPTZ,
  -- One claim of a kind per order: a second report (a double click, the link and the portal) finds the first.
  UNIQUE (order_id, kind)
);
CREATE INDEX claims_account ON claims (account_id, created_at);

CREATE TABLE cases (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('claim', 'review_request')),
  claim_id TEXT UNIQUE REFERENCES claims (id),
  decision_id TEXT REFERENCES decisions (id),
  order_id TEXT REFERENCES orders (id),
  account_id TEXT NOT NULL REFERENCES accounts (id),
  merchant_id TEXT REFERENCES merchants (id),
  status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
  assignee TEXT,
  evidence JSONB NOT NULL,
  resolution TEXT CHECK (resolution IN ('fraud_confirmed', 'claim_upheld', 'rejected')),
  resolution_note TEXT,
  opened_at TIMESTAMPTZ NOT NULL,
  first_response_due_at TIMESTAMPTZ NOT NULL,
  first_responded_at TIMESTAMPTZ,
  sla_alerted_at TIMESTAMPTZ,
  resolved_at TIMESTAMPTZ
);
CREATE INDEX cases_open ON cases (first_response_due_at) WHERE status = 'open';
CREATE INDEX cases_account ON cases (account_id);

-- Every action on a case, by whom and when: the audit trail the ops console shows.
CREATE TABLE case_events (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases (id),
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  details JSONB NOT NULL,
  at TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, seq);

-- Entities seen on confirmed fraud (or disowned by a consumer). The risk engine's block lists are its own;
-- these flags are evidence it may read.
CREATE TABLE protection_flags (
  id TEXT PRIMARY KEY,
  entity_kind TEXT NOT NULL CHECK (entity_kind IN ('device', 'address', 'email', 'phone', 'ip')),
  entity_value TEXT NOT NULL,
  reason TEXT NOT NULL,
  case_id TEXT REFERENCES cases (id),
  account_id TEXT REFERENCES accounts (id),
  created_at TIMESTAMPTZ NOT NULL,
  UNIQUE (entity_kind, entity_value, reason)
);

CREATE TABLE protection_alerts (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  message TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  acknowledged_at TIMESTAMPTZ,
  UNIQUE (kind, subject_id)
);
