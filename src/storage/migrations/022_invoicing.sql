-- Invoicing: late fees and partial payments on the invoice, the processor's payments (unique by its reference),
-- schedule steps done once per invoice (reminders, late fee, unpaid), and the merchants' payout ledger.
ALTER TABLE invoices ADD COLUMN fees BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN paid_amount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN paid_at TIMESTAMPTZ;
CREATE INDEX invoices_collectable ON invoices (due_at) WHERE status IN ('open', 'unpaid');

CREATE TABLE invoice_payments (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  invoice_id TEXT NOT NULL REFERENCES invoices (id),
  reference TEXT NOT NULL UNIQUE,
  amount BIGINT NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL,
  received_at TIMESTAMPTZ NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX invoice_payments_invoice ON invoice_payments (invoice_id, seq);

-- The primary key is what makes the scheduler idempotent: a step can be claimed for an invoice only once.
CREATE TABLE invoice_schedule_steps (
  invoice_id TEXT NOT NULL REFERENCES invoices (id),
  step TEXT NOT NULL,
  done_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (invoice_id, step)
);

-- Guaranteed payment: one entry per approved order, whatever happens to the invoice afterwards.
CREATE TABLE payout_entries (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  merchant_id TEXT NOT NULL REFERENCES merchants (id),
  order_id TEXT NOT NULL UNIQUE REFERENCES orders (id),
  amount BIGINT NOT NULL,
  currency TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX payout_entries_merchant ON payout_entries (merchant_id, seq);
