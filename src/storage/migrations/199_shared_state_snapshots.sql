-- The online state's snapshot shared through the database (src/risk/state/state-snapshot.shared.ts): a process with no
-- usable snapshot of its own (a new replica, a container started without its disk, a worker of a new release) loads
-- the one another process published instead of rebuilding the state from the whole history. The bytes are the
-- snapshot file's as written, sealed (AES-256-GCM under a key derived from the master key and this database's
-- identity): nothing here is readable without MASTER_KEYS, and a changed or foreign chunk does not open.
-- At most one per state catalogue is kept; an erasure deletes them all (its transaction), since each holds the state's
-- keys of everyone in it.
CREATE TABLE IF NOT EXISTS state_snapshots (
  id text PRIMARY KEY,
  -- The file header's: which engine, state and file layout wrote it (another release cannot use it).
  catalogue text NOT NULL,
  mark bigint NOT NULL,
  written_at timestamptz NOT NULL,
  bytes bigint NOT NULL,
  chunks integer NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS state_snapshots_catalogue ON state_snapshots (catalogue, mark DESC);

CREATE TABLE IF NOT EXISTS state_snapshot_chunks (
  snapshot_id text NOT NULL REFERENCES state_snapshots (id) ON DELETE CASCADE,
  chunk integer NOT NULL,
  bytes bytea NOT NULL,
  PRIMARY KEY (snapshot_id, chunk)
);
-- Sealed bytes do not compress: stored out of line without trying.
ALTER TABLE state_snapshot_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;
