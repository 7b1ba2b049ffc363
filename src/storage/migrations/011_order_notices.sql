-- "Was this you?" notices: one per approved order, sent to the account holder's channel on file; the signed link in
-- it works once (used_at), and following it files a not_mine claim (claim_id).
CREATE TABLE order_notices (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL UNIQUE REFERENCES orders (id),
  account_id TEXT NOT NULL REFERENCES accounts (id),
  channel_id TEXT,
  created_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ,
  claim_id TEXT
);

-- A shopper's "this was not me" from a step-up code message: the challenge is locked and the report kept.
CREATE TABLE challenge_reports (
  challenge_id TEXT PRIMARY KEY REFERENCES challenges (id),
  reported_at TIMESTAMPTZ NOT NULL
);
