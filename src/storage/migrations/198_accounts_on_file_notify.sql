-- An approval's messages need the account's channels (opened), their open codes and its language; each process keeps
-- those of recent accounts in memory (src/checkout/accounts-on-file.cache.ts) instead of reading them per approval.
-- Any change to them, by any process, names the accounts it touched on `rearguard_changes` as
-- 'accounts_on_file:<id>,<id>...', at most 100 to a notification (a payload stays far below PostgreSQL's 8000 bytes).
-- Always by name, never "drop everything": tests share one database across schemas, and a large import elsewhere
-- must not empty every process's entries. Statement triggers over transition tables: one query per statement, not
-- a trigger call per row. A transition table serves one event only, hence a trigger per event.
CREATE OR REPLACE FUNCTION rearguard_notify_accounts_on_file() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids text;
BEGIN
  -- TG_ARGV[0]: the column naming the account ('account_id', or 'id' on accounts itself).
  FOR ids IN EXECUTE format(
    'SELECT string_agg(account, '','') FROM (
       SELECT account, (row_number() OVER (ORDER BY account) - 1) / 100 AS chunk
         FROM (SELECT DISTINCT %I AS account FROM changed_rows) d
     ) c GROUP BY chunk', TG_ARGV[0])
  LOOP
    PERFORM pg_notify('rearguard_changes', 'accounts_on_file:' || ids);
  END LOOP;
  RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS channels_on_file_insert ON channels;
CREATE TRIGGER channels_on_file_insert AFTER INSERT ON channels REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_accounts_on_file('account_id');
DROP TRIGGER IF EXISTS channels_on_file_update ON channels;
CREATE TRIGGER channels_on_file_update AFTER UPDATE ON channels REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_accounts_on_file('account_id');
DROP TRIGGER IF EXISTS channels_on_file_delete ON channels;
CREATE TRIGGER channels_on_file_delete AFTER DELETE ON channels REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_accounts_on_file('account_id');

-- A new code is not announced: approvals write them (one per unconfirmed channel, the first time), and the code and
-- its message are written only if no code for the channel is running, tested in the approval's own statement. An
-- account kept from before its code costs the next approval a write that writes nothing, not a code too many.
DROP TRIGGER IF EXISTS channel_confirmations_on_file_update ON channel_confirmations;
CREATE TRIGGER channel_confirmations_on_file_update AFTER UPDATE ON channel_confirmations
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_accounts_on_file('account_id');
DROP TRIGGER IF EXISTS channel_confirmations_on_file_delete ON channel_confirmations;
CREATE TRIGGER channel_confirmations_on_file_delete AFTER DELETE ON channel_confirmations
  REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_accounts_on_file('account_id');

DROP TRIGGER IF EXISTS accounts_on_file_update ON accounts;
CREATE TRIGGER accounts_on_file_update AFTER UPDATE ON accounts REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_accounts_on_file('id');
DROP TRIGGER IF EXISTS accounts_on_file_delete ON accounts;
CREATE TRIGGER accounts_on_file_delete AFTER DELETE ON accounts REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_accounts_on_file('id');
