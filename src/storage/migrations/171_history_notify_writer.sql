-- A history notification names the database handle whose transaction committed it (the `rearguard.writer` setting
-- each server process's pool sets at connect), so a process's tail skips the wake-ups of its own commits: it applied
-- those facts itself when they committed. Writers without the setting (scripts, psql, imports elsewhere) send ''.
CREATE OR REPLACE FUNCTION rearguard_notify_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Folded to one notification per transaction and payload, delivered at commit.
  PERFORM pg_notify('rearguard_history', COALESCE(current_setting('rearguard.writer', true), ''));
  RETURN NULL;
END;
$$;
