-- Accounts and channels keep no personal data in plain: an account's name, e-mail, phone, date of birth and address
-- are one value sealed under its subject's key (accounts.sealed_personal), a channel's e-mail or number is sealed too
-- (channels.sealed_value). Lookups compare keyed-HMAC pseudonyms of the normalised value (PSEUDONYM_SECRET, one key
-- per kind: src/privacy/pseudonyms.ts), so "+31 6 2222 3333" and "0622223333" still find the same channel while the
-- database alone cannot tell whose it is. Existing rows are sealed on start, in batches (src/privacy/account-data.seal.ts):
-- SQL cannot encrypt under a key it does not hold. Until then a reader takes the plain columns as they are.
ALTER TABLE accounts ADD COLUMN sealed_personal BYTEA;
ALTER TABLE accounts ADD COLUMN email_pseudonym TEXT;
ALTER TABLE accounts ADD COLUMN phone_pseudonym TEXT;
CREATE INDEX accounts_email_pseudonym ON accounts (email_pseudonym) WHERE email_pseudonym IS NOT NULL;
CREATE INDEX accounts_phone_pseudonym ON accounts (phone_pseudonym) WHERE phone_pseudonym IS NOT NULL;
-- A bank proof looks for other accounts of the same person by date of birth (then compares names, opened).
ALTER TABLE accounts ADD COLUMN birth_pseudonym TEXT;
CREATE INDEX accounts_birth_pseudonym ON accounts (birth_pseudonym) WHERE birth_pseudonym IS NOT NULL;
-- What the start-up sealing still has to do, found without a scan once it is done.
CREATE INDEX accounts_unsealed ON accounts (id)
  WHERE sealed_personal IS NULL
    AND (name IS NOT NULL OR email IS NOT NULL OR phone IS NOT NULL OR date_of_birth IS NOT NULL OR address IS NOT NULL);

ALTER TABLE channels ADD COLUMN sealed_value BYTEA;
ALTER TABLE channels ADD COLUMN value_pseudonym TEXT;
ALTER TABLE channels ALTER COLUMN value DROP NOT NULL;
-- The normalised key in plain (migration 060) goes with its index; the pseudonym takes its place in both roles:
-- sign-in's lookup of a verified channel, and one channel per account and normalised value.
ALTER TABLE channels DROP COLUMN lookup_key;
DROP FUNCTION rearguard_channel_key(TEXT, TEXT);
ALTER TABLE channels DROP CONSTRAINT channels_account_id_kind_value_key;
CREATE UNIQUE INDEX channels_account_value ON channels (account_id, kind, value_pseudonym);
CREATE INDEX channels_lookup ON channels (value_pseudonym, verified_at) WHERE verified_at IS NOT NULL;
CREATE INDEX channels_unsealed ON channels (account_id) WHERE value IS NOT NULL;

-- Sealing changes how a value is kept, not the fact: it must not renumber rows for the history tail and snapshots
-- (a start that seals an older database would otherwise replay every account and channel again). Personal values are
-- never updated otherwise, so the columns that renumber are those a fact can change in.
DROP TRIGGER accounts_history_seq ON accounts;
CREATE TRIGGER accounts_history_seq BEFORE UPDATE OF always_verify, always_verify_at, created_at ON accounts
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_history_seq();
DROP TRIGGER channels_history_seq ON channels;
CREATE TRIGGER channels_history_seq BEFORE UPDATE OF account_id, kind, verified_at, created_at ON channels
  FOR EACH ROW EXECUTE FUNCTION rearguard_stamp_history_seq();
