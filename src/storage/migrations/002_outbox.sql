-- Transactional outbox: messages (notifications, webhooks) written in the same transaction as the fact they
-- announce, delivered by workers that lease due rows with FOR UPDATE SKIP LOCKED, retried with backoff.
CREATE TABLE outbox (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  topic TEXT NOT NULL,
  recipient TEXT,
  payload JSONB NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'held')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMPTZ NOT NULL,
  leased_until TIMESTAMPTZ,
  last_error TEXT,
  created_at TIMESTAMPTZ NOT NULL,
  delivered_at TIMESTAMPTZ
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_recipient ON outbox (recipient, seq);
