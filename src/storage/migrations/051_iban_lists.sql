-- The IBAN becomes an entity like device and address: it can be put on the block (or allow) list.
ALTER TABLE list_entries DROP CONSTRAINT list_entries_kind_check;
ALTER TABLE list_entries ADD CONSTRAINT list_entries_kind_check
  CHECK (kind IN ('email', 'phone', 'device', 'address', 'ip', 'iban'));
