-- A consumer who already paid for an order that turns out not to be theirs gets the money back: what was asked of the processor.
ALTER TABLE invoices ADD COLUMN refund_requested BIGINT NOT NULL DEFAULT 0;
