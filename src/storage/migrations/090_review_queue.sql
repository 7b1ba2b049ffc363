-- The review queue: every `review` decision opens one item with a deadline; an analyst (or the deadline's default)
-- resolves it, and the session leaves `review` in the same transaction.
CREATE TABLE review_items (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL UNIQUE REFERENCES sessions (id),
  merchant_id TEXT NOT NULL REFERENCES merchants (id),
  decision_id TEXT NOT NULL REFERENCES decisions (id),
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  score DOUBLE PRECISION,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
  opened_at TIMESTAMPTZ NOT NULL,
  due_at TIMESTAMPTZ NOT NULL,
  resolved_at TIMESTAMPTZ,
  resolved_by TEXT,
  resolution_source TEXT CHECK (resolution_source IN ('analyst', 'deadline')),
  resolution_note TEXT,
  resolution_decision_id TEXT REFERENCES decisions (id),
  order_id TEXT REFERENCES orders (id)
);

CREATE INDEX review_items_pending_due ON review_items (due_at) WHERE status = 'pending';
