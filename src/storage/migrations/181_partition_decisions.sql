-- Decisions and order events partitioned by month on their time, so that retention drops whole months and the hot
-- month's indexes stay small. Every reference to a decision carries the decision's time (filled by a trigger, so
-- application code writes references as before): a partitioned table's keys must contain the partition key, and a
-- foreign key can only point at a key.

-- The time of a decision, from its id. A checkout writes its decision and then, in the same transaction, the rows
-- that refer to it (challenge, order, review item): the decision's own trigger below leaves its id and time in a
-- transaction-local setting, so those need no query. Otherwise the recent months are looked in first (the bound is a
-- parameter, so only their partitions are planned and probed), then all. Dynamic SQL on purpose: a plan cached by
-- PL/pgSQL would be made once per connection, often while this month's partition is still nearly empty (a
-- sequential scan is cheapest then), and kept while the month fills up. The setting is only a hint: the foreign key
-- still checks the pair against the table.
CREATE FUNCTION rearguard_decided_at(decision TEXT) RETURNS TIMESTAMPTZ
LANGUAGE plpgsql STABLE AS $$
DECLARE
  remembered TEXT := current_setting('rearguard.decision_time', true);
  found TIMESTAMPTZ;
BEGIN
  IF left(remembered, length(decision) + 1) = decision || ' ' THEN
    RETURN substr(remembered, length(decision) + 2)::timestamptz;
  END IF;
  EXECUTE 'SELECT decided_at FROM decisions WHERE id = $1 AND decided_at >= $2' INTO found
    USING decision, rearguard_month_start(now()) - interval '1 month';
  IF found IS NULL THEN
    EXECUTE 'SELECT decided_at FROM decisions WHERE id = $1' INTO found USING decision;
  END IF;
  RETURN found;
END
$$;

CREATE FUNCTION rearguard_remember_decision_time() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('rearguard.decision_time', NEW.id || ' ' || NEW.decided_at::text, true);
  RETURN NEW;
END
$$;

-- A reference to a missing decision gets no time, and MATCH FULL refuses an id without a time.
CREATE FUNCTION rearguard_stamp_decision_time() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.decision_decided_at := CASE WHEN NEW.decision_id IS NULL THEN NULL ELSE rearguard_decided_at(NEW.decision_id) END;
  RETURN NEW;
END
$$;

CREATE FUNCTION rearguard_stamp_resolution_decision_time() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.resolution_decision_decided_at := CASE WHEN NEW.resolution_decision_id IS NULL THEN NULL
    ELSE rearguard_decided_at(NEW.resolution_decision_id) END;
  RETURN NEW;
END
$$;

ALTER TABLE orders ADD COLUMN decision_decided_at TIMESTAMPTZ;
ALTER TABLE challenges ADD COLUMN decision_decided_at TIMESTAMPTZ;
ALTER TABLE cases ADD COLUMN decision_decided_at TIMESTAMPTZ;
ALTER TABLE review_items ADD COLUMN decision_decided_at TIMESTAMPTZ;
ALTER TABLE review_items ADD COLUMN resolution_decision_decided_at TIMESTAMPTZ;
ALTER TABLE model_shadow_scores ADD COLUMN decision_decided_at TIMESTAMPTZ;
ALTER TABLE ruleset_shadow_outcomes ADD COLUMN decision_decided_at TIMESTAMPTZ;

UPDATE orders r SET decision_decided_at = d.decided_at FROM decisions d WHERE d.id = r.decision_id;
UPDATE challenges r SET decision_decided_at = d.decided_at FROM decisions d WHERE d.id = r.decision_id;
UPDATE cases r SET decision_decided_at = d.decided_at FROM decisions d WHERE d.id = r.decision_id;
UPDATE review_items r SET decision_decided_at = d.decided_at FROM decisions d WHERE d.id = r.decision_id;
UPDATE review_items r SET resolution_decision_decided_at = d.decided_at FROM decisions d
WHERE d.id = r.resolution_decision_id;
UPDATE model_shadow_scores r SET decision_decided_at = d.decided_at FROM decisions d WHERE d.id = r.decision_id;
UPDATE ruleset_shadow_outcomes r SET decision_decided_at = d.decided_at FROM decisions d WHERE d.id = r.decision_id;

-- The single-column foreign keys go; the pairs replace them once `decisions` is partitioned.
DO $$
DECLARE
  item RECORD;
BEGIN
  FOR item IN
    SELECT c.conname, c.conrelid::regclass::text AS child FROM pg_constraint c
    WHERE c.contype = 'f' AND c.confrelid = 'decisions'::regclass
  LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', item.child, item.conname);
  END LOOP;
END
$$;

SELECT rearguard_partition_by_month('decisions', 'decided_at', 3);
-- Order events: append-only, one or more per order, read by order and by the history (state rebuild and tail).
SELECT rearguard_partition_by_month('order_events', 'at', 3);
DROP FUNCTION rearguard_partition_by_month(TEXT, TEXT, INTEGER);

ALTER TABLE orders ADD CONSTRAINT orders_decision_fkey FOREIGN KEY (decision_id, decision_decided_at)
  REFERENCES decisions (id, decided_at) MATCH FULL;
ALTER TABLE challenges ADD CONSTRAINT challenges_decision_fkey FOREIGN KEY (decision_id, decision_decided_at)
  REFERENCES decisions (id, decided_at) MATCH FULL;
ALTER TABLE cases ADD CONSTRAINT cases_decision_fkey FOREIGN KEY (decision_id, decision_decided_at)
  REFERENCES decisions (id, decided_at) MATCH FULL;
ALTER TABLE review_items ADD CONSTRAINT review_items_decision_fkey FOREIGN KEY (decision_id, decision_decided_at)
  REFERENCES decisions (id, decided_at) MATCH FULL;
ALTER TABLE review_items ADD CONSTRAINT review_items_resolution_decision_fkey
  FOREIGN KEY (resolution_decision_id, resolution_decision_decided_at) REFERENCES decisions (id, decided_at) MATCH FULL;
ALTER TABLE model_shadow_scores ADD CONSTRAINT model_shadow_scores_decision_fkey
  FOREIGN KEY (decision_id, decision_decided_at) REFERENCES decisions (id, decided_at) MATCH FULL;
ALTER TABLE ruleset_shadow_outcomes ADD CONSTRAINT ruleset_shadow_outcomes_decision_fkey
  FOREIGN KEY (decision_id, decision_decided_at) REFERENCES decisions (id, decided_at) MATCH FULL;

CREATE TRIGGER decisions_remember_time BEFORE INSERT ON decisions
  FOR EACH ROW EXECUTE FUNCTION rearguard_remember_decision_time();
CREATE TRIGGER orders_decision_time BEFORE INSERT OR UPDATE OF decision_id ON orders
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_decision_time();
CREATE TRIGGER challenges_decision_time BEFORE INSERT OR UPDATE OF decision_id ON challenges
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_decision_time();
CREATE TRIGGER cases_decision_time BEFORE INSERT OR UPDATE OF decision_id ON cases
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_decision_time();
CREATE TRIGGER review_items_decision_time BEFORE INSERT OR UPDATE OF decision_id ON review_items
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_decision_time();
CREATE TRIGGER review_items_resolution_decision_time BEFORE INSERT OR UPDATE OF resolution_decision_id ON review_items
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_resolution_decision_time();
CREATE TRIGGER model_shadow_scores_decision_time BEFORE INSERT OR UPDATE OF decision_id ON model_shadow_scores
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_decision_time();
CREATE TRIGGER ruleset_shadow_outcomes_decision_time BEFORE INSERT OR UPDATE OF decision_id ON ruleset_shadow_outcomes
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_decision_time();

-- The latest decision of a session (read on every authorize) in (session, seq) order: each month answers from its
-- index in one step, where the session index alone let a planner short of statistics walk every month by `seq`.
CREATE INDEX decisions_session_seq ON decisions (session_id, seq);
DROP INDEX decisions_session;
