-- Order management: capture on shipment, cancel, refunds and returns, shipments with carrier events, and every
-- transition of an order in one history. Orders placed before this migration were invoiced at approval: they count
-- as fully captured (captured_amount NULL means "the whole amount", which also covers imported history).
ALTER TABLE merchants ADD COLUMN capture_mode TEXT NOT NULL DEFAULT 'on_approval'
  CHECK (capture_mode IN ('on_approval', 'on_shipment'));

ALTER TABLE orders ADD COLUMN IF NOT EXISTS delivery_requirements jsonb NOT NULL DEFAULT '[]'::jsonb;
ALTER TABLE orders ADD COLUMN state TEXT NOT NULL DEFAULT 'captured';
ALTER TABLE orders ADD COLUMN captured_amount BIGINT;
ALTER TABLE orders ADD COLUMN refunded_amount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN authorization_expires_at TIMESTAMPTZ;
CREATE INDEX orders_authorization_expiry ON orders (authorization_expires_at)
  WHERE state IN ('authorized', 'partially_captured');

-- An invoice whose whole amount was refunded before anything was owed is closed as 'refunded'.
ALTER TABLE invoices DROP CONSTRAINT IF EXISTS invoices_status_check;
ALTER TABLE invoices ADD CONSTRAINT invoices_status_check
  CHECK (status IN ('open', 'paid', 'paused', 'written_off', 'unpaid', 'refunded'));

-- The payout ledger gains entries per capture and reversals per refund, so one order may have several.
ALTER TABLE payout_entries DROP CONSTRAINT IF EXISTS payout_entries_order_id_key;
ALTER TABLE payout_entries ADD COLUMN kind TEXT NOT NULL DEFAULT 'order'
  CHECK (kind IN ('order', 'capture', 'refund'));
ALTER TABLE payout_entries ADD COLUMN reference_id TEXT;
CREATE INDEX payout_entries_order ON payout_entries (order_id);

CREATE TABLE order_captures (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders (id),
  amount BIGINT NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL,
  lines JSONB NOT NULL,
  carrier TEXT,
  tracking_numbers JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX order_captures_order ON order_captures (order_id, seq);

CREATE TABLE order_refunds (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders (id),
  amount BIGINT NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL,
  lines JSONB NOT NULL,
  reason TEXT NOT NULL,
  -- What the consumer had already paid beyond the new amount and gets back through the processor.
  refunded_to_consumer BIGINT NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX order_refunds_order ON order_refunds (order_id, seq);

-- Carriers post tracking events with their own signing key (shown once at creation, kept because signing needs it).
CREATE TABLE carriers (
  id TEXT PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  secret TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE shipments (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders (id),
  capture_id TEXT NOT NULL REFERENCES order_captures (id),
  carrier TEXT NOT NULL,
  tracking_number TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('shipped', 'in_transit', 'delivered', 'returned_to_sender')),
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  UNIQUE (carrier, tracking_number)
);
CREATE INDEX shipments_order ON shipments (order_id, seq);

-- What carriers told us, once per carrier event id (a retried delivery gets the first answer again).
CREATE TABLE carrier_events (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  carrier_id TEXT NOT NULL REFERENCES carriers (id),
  event_id TEXT NOT NULL,
  shipment_id TEXT NOT NULL REFERENCES shipments (id),
  kind TEXT NOT NULL,
  answer JSONB NOT NULL,
  occurred_at TIMESTAMPTZ NOT NULL,
  received_at TIMESTAMPTZ NOT NULL,
  UNIQUE (carrier_id, event_id)
);

-- Every transition of an order, with the consumer's exposure after it (read back to rebuild the risk engine's state).
CREATE TABLE order_events (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders (id),
  event TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  actor TEXT NOT NULL,
  details JSONB NOT NULL,
  exposure BIGINT,
  at TIMESTAMPTZ NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, seq);
CREATE INDEX order_events_exposure ON order_events (at, id) WHERE exposure IS NOT NULL;
