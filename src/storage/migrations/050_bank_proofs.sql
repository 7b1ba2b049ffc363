-- Proofs at the shopper's own bank (bank identification, verification payment) and what they established.

-- One started proof: the secrets of the flow stay here (PKCE verifier, nonce), never in a URL.
CREATE TABLE proof_attempts (
  id TEXT PRIMARY KEY,
  -- Insertion order: several attempts may start within one clock tick.
  seq BIGINT GENERATED ALWAYS AS IDENTITY,
  challenge_id TEXT NOT NULL REFERENCES challenges (id),
  method TEXT NOT NULL,
  -- pending -> completing (the single-use callback was taken) -> verified | failed
  status TEXT NOT NULL DEFAULT 'pending',
  flow JSONB NOT NULL DEFAULT '{}',
  provider_reference TEXT,
  failure_code TEXT,
  -- What the bank or payment service confirmed (name, date of birth, address, subject, payer IBAN).
  identity JSONB,
  created_at TIMESTAMPTZ NOT NULL,
  completed_at TIMESTAMPTZ
);
CREATE INDEX proof_attempts_challenge ON proof_attempts (challenge_id, seq);
CREATE UNIQUE INDEX proof_attempts_reference ON proof_attempts (method, provider_reference)
  WHERE provider_reference IS NOT NULL;

-- The bank's stable pseudonymous subject of the person an account belongs to (set by a passed bank identification).
CREATE TABLE account_bank_subjects (
  account_id TEXT PRIMARY KEY REFERENCES accounts (id),
  subject TEXT NOT NULL,
  verified_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX account_bank_subjects_subject ON account_bank_subjects (subject);

-- A later proof of an account's identity that came with a different bank subject: kept as evidence and a feature.
CREATE TABLE bank_subject_conflicts (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  session_id TEXT NOT NULL REFERENCES sessions (id),
  subject TEXT NOT NULL,
  at TIMESTAMPTZ NOT NULL
);
CREATE INDEX bank_subject_conflicts_account ON bank_subject_conflicts (account_id, at);
