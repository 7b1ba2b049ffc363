-- Notifications instead of polling: the outbox worker wakes when messages commit, and in-memory caches of
-- webhook endpoints and merchants (capture mode) are dropped when another process changes them.
CREATE OR REPLACE FUNCTION rearguard_notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Delivered at commit, once per transaction (identical notifications are folded): cheap for a batch of inserts.
  PERFORM pg_notify('rearguard_outbox', '');
  RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS outbox_notify ON outbox;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_outbox();

CREATE OR REPLACE FUNCTION rearguard_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('rearguard_changes', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS webhook_endpoints_notify ON webhook_endpoints;
CREATE TRIGGER webhook_endpoints_notify AFTER INSERT OR UPDATE OR DELETE ON webhook_endpoints
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_change();

DROP TRIGGER IF EXISTS merchants_notify ON merchants;
CREATE TRIGGER merchants_notify AFTER INSERT OR UPDATE OR DELETE ON merchants
  FOR EACH STATEMENT EXECUTE FUNCTION rearguard_notify_change();
