-- Scale-out: every server process tails the history other processes commit. A statement-level trigger wakes the
-- tails (NOTIFY at commit), and every history number is drawn by a transaction that already holds its id, so a tail
-- can tell from transaction ids when every number up to a mark has committed (or aborted): see
-- src/risk/state/history-tail.service.ts.
CREATE OR REPLACE FUNCTION rearguard_next_history_seq() RETURNS BIGINT
LANGUAGE plpgsql AS $$
BEGIN
  -- The id first: a number drawn before the transaction had an id could belong to a transaction newer than a mark.
  PERFORM pg_current_xact_id();
  RETURN nextval('history_seq');
END
$$;

CREATE OR REPLACE FUNCTION rearguard_stamp_history_seq() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_current_xact_id();
  NEW.history_seq := nextval((quote_ident(TG_TABLE_SCHEMA) || '.history_seq')::regclass);
  RETURN NEW;
END
$$;

ALTER TABLE accounts ALTER COLUMN history_seq SET DEFAULT rearguard_next_history_seq();
ALTER TABLE channels ALTER COLUMN history_seq SET DEFAULT rearguard_next_history_seq();
ALTER TABLE orders ALTER COLUMN history_seq SET DEFAULT rearguard_next_history_seq();
ALTER TABLE payments ALTER COLUMN history_seq SET DEFAULT rearguard_next_history_seq();
ALTER TABLE order_events ALTER COLUMN history_seq SET DEFAULT rearguard_next_history_seq();
ALTER TABLE verifications ALTER COLUMN history_seq SET DEFAULT rearguard_next_history_seq();
ALTER TABLE account_bank_subjects ALTER COLUMN history_seq SET DEFAULT rearguard_next_history_seq();
ALTER TABLE bank_subject_conflicts ALTER COLUMN history_seq SET DEFAULT rearguard_next_history_seq();
ALTER TABLE labels ALTER COLUMN history_seq SET DEFAULT rearguard_next_history_seq();

CREATE OR REPLACE FUNCTION rearguard_notify_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Folded to one notification per transaction, delivered at commit.
  PERFORM pg_notify('rearguard_history', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER accounts_notify_history AFTER INSERT OR UPDATE ON accounts
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_history();
CREATE TRIGGER channels_notify_history AFTER INSERT OR UPDATE ON channels
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_history();
CREATE TRIGGER orders_notify_history AFTER INSERT OR UPDATE OF account_id, merchant_id, merchant_name, input, placed_at
  ON orders FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_history();
CREATE TRIGGER payments_notify_history AFTER INSERT OR UPDATE ON payments
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_history();
CREATE TRIGGER order_events_notify_history AFTER INSERT OR UPDATE ON order_events
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_history();
CREATE TRIGGER verifications_notify_history AFTER INSERT OR UPDATE ON verifications
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_history();
CREATE TRIGGER account_bank_subjects_notify_history AFTER INSERT OR UPDATE ON account_bank_subjects
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_history();
CREATE TRIGGER bank_subject_conflicts_notify_history AFTER INSERT OR UPDATE ON bank_subject_conflicts
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_history();
CREATE TRIGGER labels_notify_history AFTER INSERT OR UPDATE ON labels
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_history();

-- The analysts' levers the engine holds in memory follow changes made through any process.
DROP TRIGGER IF EXISTS rulesets_notify ON rulesets;
CREATE TRIGGER rulesets_notify AFTER INSERT OR UPDATE OR DELETE ON rulesets
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_change();
DROP TRIGGER IF EXISTS list_entries_notify ON list_entries;
CREATE TRIGGER list_entries_notify AFTER INSERT OR UPDATE OR DELETE ON list_entries
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_change();
DROP TRIGGER IF EXISTS model_versions_notify ON model_versions;
CREATE TRIGGER model_versions_notify AFTER INSERT OR UPDATE OR DELETE ON model_versions
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_change();
