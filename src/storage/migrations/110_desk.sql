-- The fraud desk's work queue and case actions: who is working which item (a lock with an expiry, visible to
-- colleagues) and the questions put to a real customer through their verified channel, with the answer given.
CREATE TABLE desk_locks (
  item_id TEXT PRIMARY KEY,
  staff_id TEXT NOT NULL REFERENCES staff (id),
  staff_name TEXT NOT NULL,
  locked_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE desk_contacts (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  order_id TEXT NOT NULL REFERENCES orders (id),
  channel_id TEXT NOT NULL REFERENCES channels (id),
  question TEXT NOT NULL,
  asked_by TEXT NOT NULL,
  asked_at TIMESTAMPTZ NOT NULL,
  answer TEXT CHECK (answer IN ('confirmed_mine', 'not_mine')),
  answered_at TIMESTAMPTZ,
  label_id TEXT REFERENCES labels (id)
);
CREATE INDEX desk_contacts_account ON desk_contacts (account_id, seq);

-- Decision search filters by time, outcome and merchant.
CREATE INDEX decisions_decided ON decisions (decided_at);
CREATE INDEX decisions_merchant_decided ON decisions (merchant_id, decided_at);
