-- Each history fact names the database handle that wrote it (the `rearguard.writer` setting each server process's pool
-- sets at connect, as in migration 171), so a process's history tail leaves out in SQL the facts it applied itself
-- when they committed, instead of re-reading (and opening) every one of its own checkouts of the last second each round.
-- Writers without the setting (scripts, psql, PGlite) and rows from before this migration hold NULL: every tail reads them.
-- (A session that once set it locally reads '' afterwards, not NULL: both mean none.)
--
-- Numbered 100 but written for either order: a new database runs it before 165-190 (no history_seq yet, order_events
-- not yet partitioned; 181 copies columns, defaults and triggers onto the partitioned table), an existing one after.
-- So it references nothing those create, and replaces nothing they replace.

-- A column without a default first, then the default: a volatile default given in ADD COLUMN rewrites the table.
ALTER TABLE accounts ADD COLUMN history_writer TEXT;
ALTER TABLE channels ADD COLUMN history_writer TEXT;
ALTER TABLE orders ADD COLUMN history_writer TEXT;
ALTER TABLE payments ADD COLUMN history_writer TEXT;
ALTER TABLE order_events ADD COLUMN history_writer TEXT;
ALTER TABLE verifications ADD COLUMN history_writer TEXT;
ALTER TABLE account_bank_subjects ADD COLUMN history_writer TEXT;
ALTER TABLE bank_subject_conflicts ADD COLUMN history_writer TEXT;
ALTER TABLE labels ADD COLUMN history_writer TEXT;

ALTER TABLE accounts ALTER COLUMN history_writer SET DEFAULT NULLIF(current_setting('rearguard.writer', true), '');
ALTER TABLE channels ALTER COLUMN history_writer SET DEFAULT NULLIF(current_setting('rearguard.writer', true), '');
ALTER TABLE orders ALTER COLUMN history_writer SET DEFAULT NULLIF(current_setting('rearguard.writer', true), '');
ALTER TABLE payments ALTER COLUMN history_writer SET DEFAULT NULLIF(current_setting('rearguard.writer', true), '');
ALTER TABLE order_events ALTER COLUMN history_writer SET DEFAULT NULLIF(current_setting('rearguard.writer', true), '');
ALTER TABLE verifications ALTER COLUMN history_writer SET DEFAULT NULLIF(current_setting('rearguard.writer', true), '');
ALTER TABLE account_bank_subjects ALTER COLUMN history_writer SET DEFAULT NULLIF(current_setting('rearguard.writer', true), '');
ALTER TABLE bank_subject_conflicts ALTER COLUMN history_writer SET DEFAULT NULLIF(current_setting('rearguard.writer', true), '');
ALTER TABLE labels ALTER COLUMN history_writer SET DEFAULT NULLIF(current_setting('rearguard.writer', true), '');

-- An update that renumbers a row (the `<table>_history_seq` triggers) makes it a fact of the updating process: the row's
-- first writer did not apply that change, so its tail must not leave the row out. An update that does NOT renumber must
-- keep the writer: another process whose tail has not reached the row yet would otherwise take it for its own and never
-- apply it. So these triggers fire on exactly the columns of the `<table>_history_seq` triggers (165, as 190 narrowed
-- them for accounts and channels); test/history-writer.test.ts holds the two lists equal.
CREATE FUNCTION rearguard_stamp_history_writer() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.history_writer := NULLIF(current_setting('rearguard.writer', true), '');
  RETURN NEW;
END
$$;

CREATE TRIGGER accounts_history_writer BEFORE UPDATE OF always_verify, always_verify_at, created_at ON accounts
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_history_writer();
CREATE TRIGGER channels_history_writer BEFORE UPDATE OF account_id, kind, verified_at, created_at ON channels
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_history_writer();
CREATE TRIGGER orders_history_writer BEFORE UPDATE OF account_id, merchant_id, merchant_name, input, placed_at ON orders
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_history_writer();
CREATE TRIGGER payments_history_writer BEFORE UPDATE ON payments
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_history_writer();
CREATE TRIGGER order_events_history_writer BEFORE UPDATE OF exposure, at, order_id ON order_events
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_history_writer();
CREATE TRIGGER verifications_history_writer BEFORE UPDATE ON verifications
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_history_writer();
CREATE TRIGGER account_bank_subjects_history_writer BEFORE UPDATE ON account_bank_subjects
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_history_writer();
CREATE TRIGGER bank_subject_conflicts_history_writer BEFORE UPDATE ON bank_subject_conflicts
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_history_writer();
CREATE TRIGGER labels_history_writer BEFORE UPDATE ON labels
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_history_writer();
