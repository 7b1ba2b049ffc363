-- Staff of the fraud desk: named accounts with a role, passkeys only (no passwords), cookie sessions, a one-time
-- enrolment link per account, an append-only audit trail, and pending approvals for four-eyes actions.
CREATE TABLE staff (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('analyst', 'lead', 'admin')),
  created_at TIMESTAMPTZ NOT NULL,
  created_by TEXT
);

CREATE TABLE staff_enrolments (
  id TEXT PRIMARY KEY,
  staff_id TEXT NOT NULL REFERENCES staff (id),
  token_hash TEXT NOT NULL UNIQUE,
  expires_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ
);

CREATE TABLE staff_passkeys (
  id TEXT PRIMARY KEY,
  staff_id TEXT NOT NULL REFERENCES staff (id),
  credential_id TEXT NOT NULL UNIQUE,
  public_key TEXT NOT NULL,
  counter BIGINT NOT NULL,
  transports JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  last_used_at TIMESTAMPTZ
);

CREATE TABLE staff_ceremonies (
  id TEXT PRIMARY KEY,
  purpose TEXT NOT NULL CHECK (purpose IN ('enrolment', 'sign_in')),
  staff_id TEXT REFERENCES staff (id),
  challenge TEXT NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ
);

CREATE TABLE staff_sessions (
  id TEXT PRIMARY KEY,
  staff_id TEXT NOT NULL REFERENCES staff (id),
  token_hash TEXT NOT NULL UNIQUE,
  created_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  revoked_at TIMESTAMPTZ
);

CREATE TABLE staff_audit (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  staff_id TEXT REFERENCES staff (id),
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  before JSONB,
  after JSONB,
  at TIMESTAMPTZ NOT NULL
);
CREATE INDEX staff_audit_subject ON staff_audit (subject, seq);

CREATE TABLE staff_approvals (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  action TEXT NOT NULL CHECK (action IN ('case.confirm_fraud', 'ruleset.activate')),
  subject TEXT NOT NULL,
  payload JSONB NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'rejected')),
  requested_by TEXT NOT NULL REFERENCES staff (id),
  requested_at TIMESTAMPTZ NOT NULL,
  decided_by TEXT REFERENCES staff (id),
  decided_at TIMESTAMPTZ
);
-- One open request per action and subject: a second request joins the first instead of racing it.
CREATE UNIQUE INDEX staff_approvals_open ON staff_approvals (action, subject) WHERE status = 'pending';
