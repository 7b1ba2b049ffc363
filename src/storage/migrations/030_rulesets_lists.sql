-- Rulesets are versioned data: every version kept, one active. Lists block or allow an entity (normalised value).
CREATE TABLE rulesets (
  version TEXT PRIMARY KEY,
  body JSONB NOT NULL,
  active BOOLEAN NOT NULL DEFAULT false,
  created_at TIMESTAMPTZ NOT NULL,
  activated_at TIMESTAMPTZ,
  note TEXT
);
CREATE UNIQUE INDEX rulesets_one_active ON rulesets (active) WHERE active;

CREATE TABLE list_entries (
  id TEXT PRIMARY KEY,
  list TEXT NOT NULL CHECK (list IN ('block', 'allow')),
  kind TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'device', 'address', 'ip')),
  value TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ,
  removed_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX list_entries_live ON list_entries (list, kind, value) WHERE removed_at IS NULL;
