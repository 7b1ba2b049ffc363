-- Proof of possession, policy and onboarding (issue 9): delivery conditions on orders of unproven buyers, codes that
-- verify a new customer's channels, and letters with a "not me" code to the billing address.

-- Issue 17 adds the same column the same way, so either branch may land first.
ALTER TABLE orders ADD COLUMN IF NOT EXISTS delivery_requirements JSONB NOT NULL DEFAULT '[]'::jsonb;

-- One per channel a new customer gave at their first approved purchase: the code in the message (a signed link)
-- verifies the channel once, before it expires.
CREATE TABLE channel_confirmations (
  id TEXT PRIMARY KEY,
  channel_id TEXT NOT NULL REFERENCES channels (id),
  account_id TEXT NOT NULL REFERENCES accounts (id),
  created_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  confirmed_at TIMESTAMPTZ
);
CREATE INDEX channel_confirmations_channel ON channel_confirmations (channel_id);

-- A letter by post to the billing address when an order is placed for an account whose identity was never proven
-- (an account opened in a person's name): its short "not me" code, kept as an HMAC, files a not_mine claim once.
CREATE TABLE identity_letters (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  order_id TEXT NOT NULL REFERENCES orders (id),
  code_hash TEXT NOT NULL UNIQUE,
  created_at TIMESTAMPTZ NOT NULL,
  reported_at TIMESTAMPTZ,
  claim_id TEXT
);
