-- Signed-in consumers (portal): an opaque bearer token, stored hashed, bound to one account, with an expiry.
CREATE TABLE consumer_sessions (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  token_hash TEXT NOT NULL UNIQUE,
  method TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  revoked_at TIMESTAMPTZ
);
CREATE INDEX consumer_sessions_account ON consumer_sessions (account_id);
