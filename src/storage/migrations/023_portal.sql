-- Devices and delivery addresses a consumer told us were not theirs: hidden from their portal, flagged for the risk engine.
CREATE TABLE account_disowned_entities (
  account_id TEXT NOT NULL REFERENCES accounts (id),
  entity_kind TEXT NOT NULL CHECK (entity_kind IN ('device', 'address')),
  entity_value TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (account_id, entity_kind, entity_value)
);
