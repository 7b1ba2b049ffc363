-- Personal data kept once, encrypted per person: a subject per account or claimed identity holds one data key,
-- stored only wrapped by a master key (MASTER_KEYS). Shredding the wrapped key erases everything sealed under it.
CREATE TABLE subjects (
  id TEXT PRIMARY KEY,
  -- Pseudonym of the claimed e-mail address the subject was made for (the same claim finds the same subject).
  claim_pseudonym TEXT,
  master_key_id TEXT,
  wrapped_key BYTEA,
  created_at TIMESTAMPTZ NOT NULL,
  shredded_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX subjects_live_claim ON subjects (claim_pseudonym) WHERE wrapped_key IS NOT NULL;
CREATE INDEX subjects_rotation ON subjects (master_key_id, id) WHERE wrapped_key IS NOT NULL;

-- The session input lives once, sealed under its subject's key; sessions.input, decisions.input and orders.input
-- keep only what needs no person: amounts, the merchant's reference, the cart, and pseudonyms of the signals.
ALTER TABLE sessions ADD COLUMN subject_id TEXT REFERENCES subjects (id);
ALTER TABLE sessions ADD COLUMN sealed_input BYTEA;
CREATE INDEX sessions_subject ON sessions (subject_id);
ALTER TABLE accounts ADD COLUMN subject_id TEXT REFERENCES subjects (id);
CREATE INDEX accounts_subject ON accounts (subject_id);
