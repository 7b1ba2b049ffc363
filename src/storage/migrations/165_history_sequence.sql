-- A fast start: every fact the online risk state is built from carries a history sequence number, so a restart
-- that loads a state snapshot replays only the facts numbered after it; and (time, id) indexes let the cold
-- rebuild page through each source by keyset instead of scanning and sorting the whole table per page.

-- Which database a snapshot was taken from: a snapshot of another database (or a restored copy) is not used.
CREATE TABLE database_identity (
  id TEXT PRIMARY KEY,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO database_identity (id) VALUES (gen_random_uuid()::text);

CREATE SEQUENCE history_seq;

-- New rows take the next number by default; a change to a column the state reads takes a new number (trigger).
CREATE FUNCTION rearguard_stamp_history_seq() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.history_seq := nextval((quote_ident(TG_TABLE_SCHEMA) || '.history_seq')::regclass);
  RETURN NEW;
END
$$;

ALTER TABLE accounts ADD COLUMN history_seq BIGINT NOT NULL DEFAULT nextval('history_seq');
ALTER TABLE channels ADD COLUMN history_seq BIGINT NOT NULL DEFAULT nextval('history_seq');
ALTER TABLE orders ADD COLUMN history_seq BIGINT NOT NULL DEFAULT nextval('history_seq');
ALTER TABLE payments ADD COLUMN history_seq BIGINT NOT NULL DEFAULT nextval('history_seq');
ALTER TABLE order_events ADD COLUMN history_seq BIGINT NOT NULL DEFAULT nextval('history_seq');
ALTER TABLE verifications ADD COLUMN history_seq BIGINT NOT NULL DEFAULT nextval('history_seq');
ALTER TABLE account_bank_subjects ADD COLUMN history_seq BIGINT NOT NULL DEFAULT nextval('history_seq');
ALTER TABLE bank_subject_conflicts ADD COLUMN history_seq BIGINT NOT NULL DEFAULT nextval('history_seq');
ALTER TABLE labels ADD COLUMN history_seq BIGINT NOT NULL DEFAULT nextval('history_seq');

CREATE TRIGGER accounts_history_seq BEFORE UPDATE OF name, email, phone, date_of_birth, address, always_verify,
  always_verify_at, created_at ON accounts FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_history_seq();
CREATE TRIGGER channels_history_seq BEFORE UPDATE OF account_id, kind, value, verified_at, created_at ON channels
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_history_seq();
-- Orders change status often; only the columns the state reads renumber them.
CREATE TRIGGER orders_history_seq BEFORE UPDATE OF account_id, merchant_id, merchant_name, input, placed_at ON orders
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_history_seq();
CREATE TRIGGER payments_history_seq BEFORE UPDATE ON payments
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_history_seq();
CREATE TRIGGER order_events_history_seq BEFORE UPDATE OF exposure, at, order_id ON order_events
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_history_seq();
CREATE TRIGGER verifications_history_seq BEFORE UPDATE ON verifications
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_history_seq();
CREATE TRIGGER account_bank_subjects_history_seq BEFORE UPDATE ON account_bank_subjects
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_history_seq();
CREATE TRIGGER bank_subject_conflicts_history_seq BEFORE UPDATE ON bank_subject_conflicts
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_history_seq();
CREATE TRIGGER labels_history_seq BEFORE UPDATE ON labels
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_history_seq();

CREATE INDEX accounts_history_seq ON accounts (history_seq);
CREATE INDEX channels_history_seq ON channels (history_seq);
CREATE INDEX orders_history_seq ON orders (history_seq);
CREATE INDEX payments_history_seq ON payments (history_seq);
CREATE INDEX order_events_history_seq ON order_events (history_seq);
CREATE INDEX verifications_history_seq ON verifications (history_seq);
CREATE INDEX account_bank_subjects_history_seq ON account_bank_subjects (history_seq);
CREATE INDEX bank_subject_conflicts_history_seq ON bank_subject_conflicts (history_seq);
CREATE INDEX labels_history_seq ON labels (history_seq);

-- Keyset paging of the cold rebuild, in the (time, id) order it reads each source.
CREATE INDEX accounts_created ON accounts (created_at, id);
CREATE INDEX accounts_always_verify ON accounts (always_verify_at, id) WHERE always_verify_at IS NOT NULL;
CREATE INDEX channels_created ON channels (created_at, id);
CREATE INDEX orders_placed_id ON orders (placed_at, id);
CREATE INDEX payments_paid ON payments (paid_at, id);
CREATE INDEX verifications_verified ON verifications (verified_at, id) WHERE account_id IS NOT NULL;
CREATE INDEX account_bank_subjects_verified ON account_bank_subjects (verified_at, account_id);
CREATE INDEX bank_subject_conflicts_at ON bank_subject_conflicts (at, id);
CREATE INDEX labels_known ON labels (known_at, id);
