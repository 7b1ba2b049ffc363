-- Step-up verification: challenges bound to one session, one-time codes (hashed, bound to amount, merchant and
-- delivery address), send counters for rate limits, stored verification outcomes, passkeys and WebAuthn ceremonies.
CREATE TABLE challenges (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions (id),
  merchant_id TEXT NOT NULL REFERENCES merchants (id),
  decision_id TEXT NOT NULL REFERENCES decisions (id),
  account_id TEXT REFERENCES accounts (id),
  device_id TEXT,
  -- The options the decision allowed: method, on-file channel id, masked target. Never a typed channel.
  options JSONB NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'verified', 'locked', 'expired')),
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  -- The current one-time code: only its keyed hash; a re-send replaces it, which invalidates the previous code.
  code_hash TEXT,
  code_method TEXT,
  code_sent_at TIMESTAMPTZ,
  sends INTEGER NOT NULL DEFAULT 0,
  passkey_challenge TEXT,
  verified_method TEXT,
  verified_at TIMESTAMPTZ,
  expires_at TIMESTAMPTZ NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX challenges_session ON challenges (session_id);

-- Fixed-window counters for rate limits (sends per account, per device); a Redis adapter can replace this table.
CREATE TABLE rate_limit_counters (
  key TEXT NOT NULL,
  window_start TIMESTAMPTZ NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (key, window_start)
);

-- Verification outcomes are facts: which account proved itself, how, on which device and channel.
CREATE TABLE verifications (
  id TEXT PRIMARY KEY,
  account_id TEXT REFERENCES accounts (id),
  session_id TEXT REFERENCES sessions (id),
  challenge_id TEXT REFERENCES challenges (id),
  method TEXT NOT NULL,
  channel_id TEXT,
  device_id TEXT,
  verified_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX verifications_account ON verifications (account_id, verified_at);
CREATE INDEX verifications_device ON verifications (device_id);

CREATE TABLE passkeys (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  credential_id TEXT NOT NULL UNIQUE,
  public_key TEXT NOT NULL,
  counter BIGINT NOT NULL,
  transports JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  last_used_at TIMESTAMPTZ
);
CREATE INDEX passkeys_account ON passkeys (account_id);

-- WebAuthn ceremonies outside a checkout challenge (registration, portal sign-in): the expected challenge, once.
CREATE TABLE webauthn_ceremonies (
  id TEXT PRIMARY KEY,
  purpose TEXT NOT NULL CHECK (purpose IN ('registration', 'sign_in')),
  account_id TEXT REFERENCES accounts (id),
  challenge TEXT NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ
);

-- Portal sign-in by code: a row exists whether or not the e-mail/phone is on file, so answers never differ.
CREATE TABLE sign_ins (
  id TEXT PRIMARY KEY,
  account_id TEXT REFERENCES accounts (id),
  channel_id TEXT,
  code_hash TEXT NOT NULL,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  expires_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL
);
