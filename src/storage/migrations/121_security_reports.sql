-- "Not me" reports from a sign-in code message or a security notice: the desk sees who reported what, and when.
-- subject_id is the sign-in (sgn_...) whose code was not asked for, or the account whose setting changed.
CREATE TABLE security_reports (
  subject_id TEXT PRIMARY KEY,
  account_id TEXT,
  reported_at TIMESTAMPTZ NOT NULL,
  sessions_ended INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX security_reports_reported_at ON security_reports (reported_at);
