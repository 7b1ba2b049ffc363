-- Monthly partitions: the functions that make a month's partition of a table partitioned by time (used by this
-- migration and, ahead of time, by the `partitions` scheduled task: src/storage/month-partitions.ts).

-- Month boundaries are UTC midnights, whatever the session's time zone.
CREATE FUNCTION rearguard_month_start(at TIMESTAMPTZ) RETURNS TIMESTAMPTZ
LANGUAGE sql IMMUTABLE AS $$ SELECT date_trunc('month', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' $$;

-- Makes `parent`'s partition for the month that starts at `month_start` (named parent_YYYY_MM) unless it exists.
-- Returns 'exists', 'created' or 'moved'. The partition is made as a plain table and then attached, which takes only a
-- SHARE UPDATE EXCLUSIVE lock on the parent: decisions keep being written meanwhile.
-- Rows of that month already in the DEFAULT partition (written while no partition existed) must move into it, and a
-- row that is the target of a foreign key cannot leave a partition while referenced (the check is per partition, not
-- deferred to commit). So the foreign keys to the parent are dropped for this one transaction and added back NOT VALID:
-- they enforce every new row and every delete at once; VALIDATE CONSTRAINT (rearguard_validate_foreign_keys) then
-- checks the old rows under a lock that does not block writes.
CREATE FUNCTION rearguard_ensure_month_partition(parent TEXT, month_start TIMESTAMPTZ) RETURNS TEXT
LANGUAGE plpgsql AS $$
DECLARE
  lower_bound TIMESTAMPTZ := rearguard_month_start(month_start);
  upper_bound TIMESTAMPTZ := rearguard_month_start(month_start + interval '32 days');
  partition_name TEXT := parent || '_' || to_char(lower_bound AT TIME ZONE 'UTC', 'YYYY_MM');
  default_name TEXT := parent || '_default';
  partition_key TEXT;
  has_rows BOOLEAN;
  foreign_keys RECORD;
  dropped TEXT[] := '{}';
BEGIN
  IF to_regclass(quote_ident(partition_name)) IS NOT NULL THEN
    RETURN 'exists';
  END IF;
  SELECT a.attname INTO STRICT partition_key
  FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
  WHERE p.partrelid = quote_ident(parent)::regclass;

  EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)',
    partition_name, parent);
  -- The bound as a CHECK lets ATTACH skip scanning the new table.
  EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (%I >= %L AND %I < %L)', partition_name,
    partition_name || '_bound', partition_key, lower_bound, partition_key, upper_bound);

  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I >= $1 AND %I < $2)', default_name, partition_key,
    partition_key) INTO has_rows USING lower_bound, upper_bound;
  IF has_rows THEN
    FOR foreign_keys IN
      SELECT c.conname, c.conrelid::regclass::text AS child, pg_get_constraintdef(c.oid) AS definition
      FROM pg_constraint c
      WHERE c.contype = 'f' AND c.confrelid = quote_ident(parent)::regclass AND c.conparentid = 0
    LOOP
      EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', foreign_keys.child, foreign_keys.conname);
      dropped := dropped || format('ALTER TABLE %s ADD CONSTRAINT %I %s NOT VALID', foreign_keys.child,
        foreign_keys.conname, foreign_keys.definition);
    END LOOP;
    EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= $1 AND %I < $2 RETURNING *) INSERT INTO %I SELECT * FROM moved',
      default_name, partition_key, partition_key, partition_name) USING lower_bound, upper_bound;
  END IF;

  EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, partition_name,
    lower_bound, upper_bound);
  EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', partition_name, partition_name || '_bound');
  FOR i IN 1 .. coalesce(array_length(dropped, 1), 0) LOOP
    EXECUTE dropped[i];
  END LOOP;
  RETURN CASE WHEN has_rows THEN 'moved' ELSE 'created' END;
END
$$;

-- Checks the rows a foreign key to `parent` was not checked for (after a move above); returns how many it validated.
CREATE FUNCTION rearguard_validate_foreign_keys(parent TEXT) RETURNS INTEGER
LANGUAGE plpgsql AS $$
DECLARE
  foreign_keys RECORD;
  validated INTEGER := 0;
BEGIN
  FOR foreign_keys IN
    SELECT c.conname, c.conrelid::regclass::text AS child FROM pg_constraint c
    WHERE c.contype = 'f' AND c.confrelid = quote_ident(parent)::regclass AND c.conparentid = 0 AND NOT c.convalidated
  LOOP
    EXECUTE format('ALTER TABLE %s VALIDATE CONSTRAINT %I', foreign_keys.child, foreign_keys.conname);
    validated := validated + 1;
  END LOOP;
  RETURN validated;
END
$$;

-- Turns `source` into a table partitioned by month on `partition_key`, in place, keeping its columns, defaults, checks,
-- indexes, triggers, foreign keys to other tables and sequence numbers. Unique keys must contain the partition key:
-- the primary key becomes (its columns, partition_key); another unique key (a BIGSERIAL `seq`) becomes a plain index,
-- its values still come from one sequence. Foreign keys pointing AT `source` are the caller's to drop and re-add.
-- Used only by this migration.
CREATE FUNCTION rearguard_partition_by_month(source TEXT, partition_key TEXT, months_ahead INTEGER) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  staging TEXT := source || '_partitioned';
  statements TEXT[] := '{}';
  item RECORD;
  first_month TIMESTAMPTZ;
  last_month TIMESTAMPTZ;
  month TIMESTAMPTZ;
BEGIN
  -- What must be recreated on the new table once it has the old name.
  FOR item IN
    SELECT format('ALTER TABLE %I ADD PRIMARY KEY (%s, %I)', source,
             (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ordinality)
              FROM unnest(c.conkey) WITH ORDINALITY k (attnum, ordinality)
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum), partition_key) AS statement
    FROM pg_constraint c WHERE c.conrelid = quote_ident(source)::regclass AND c.contype = 'p'
    UNION ALL
    SELECT format('CREATE INDEX %I ON %I (%s)', c.conname, source,
             (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ordinality)
              FROM unnest(c.conkey) WITH ORDINALITY k (attnum, ordinality)
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum))
    FROM pg_constraint c WHERE c.conrelid = quote_ident(source)::regclass AND c.contype = 'u'
    UNION ALL
    SELECT format('ALTER TABLE %I ADD CONSTRAINT %I %s', source, c.conname, pg_get_constraintdef(c.oid))
    FROM pg_constraint c WHERE c.conrelid = quote_ident(source)::regclass AND c.contype = 'f'
    UNION ALL
    SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
    WHERE i.indrelid = quote_ident(source)::regclass
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
    UNION ALL
    SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t
    WHERE t.tgrelid = quote_ident(source)::regclass AND NOT t.tgisinternal
  LOOP
    statements := statements || item.statement;
  END LOOP;

  -- Sequences owned by the old table's columns (BIGSERIAL) must outlive it.
  FOR item IN
    SELECT s.relname AS sequence_name, a.attname AS column_name
    FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
    JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
    WHERE d.refobjid = quote_ident(source)::regclass AND d.deptype = 'a'
  LOOP
    EXECUTE format('ALTER SEQUENCE %I OWNED BY NONE', item.sequence_name);
    statements := statements || format('ALTER SEQUENCE %I OWNED BY %I.%I', item.sequence_name, source,
      item.column_name);
  END LOOP;

  EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)
    PARTITION BY RANGE (%I)', staging, source, partition_key);
  EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', staging || '_default', staging);
  EXECUTE format('SELECT rearguard_month_start(min(%I)), rearguard_month_start(max(%I)) FROM %I', partition_key,
    partition_key, source) INTO first_month, last_month;
  first_month := least(coalesce(first_month, rearguard_month_start(now())), rearguard_month_start(now()));
  last_month := greatest(coalesce(last_month, now()), now() + make_interval(months => months_ahead));
  month := first_month;
  WHILE month <= last_month LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
      source || '_' || to_char(month AT TIME ZONE 'UTC', 'YYYY_MM'), staging, month,
      rearguard_month_start(month + interval '32 days'));
    month := rearguard_month_start(month + interval '32 days');
  END LOOP;
  EXECUTE format('INSERT INTO %I SELECT * FROM %I', staging, source);

  EXECUTE format('DROP TABLE %I', source);
  EXECUTE format('ALTER TABLE %I RENAME TO %I', staging, source);
  EXECUTE format('ALTER TABLE %I RENAME TO %I', staging || '_default', source || '_default');
  FOR i IN 1 .. coalesce(array_length(statements, 1), 0) LOOP
    EXECUTE statements[i];
  END LOOP;
END
$$;
