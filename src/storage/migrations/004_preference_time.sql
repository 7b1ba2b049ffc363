-- When the account holder last changed "always verify my purchases", so that rebuilding the online state (and
-- replaying history) applies the preference from that moment, not from the account's creation.
ALTER TABLE accounts ADD COLUMN always_verify_at TIMESTAMPTZ;
