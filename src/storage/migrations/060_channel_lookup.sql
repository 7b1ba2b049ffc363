-- Sign-in finds a verified channel by its normalised value through an index, not by scanning every channel with
-- regexp_replace() and lower(). The key is the one the risk engine uses (src/risk/normalise): the e-mail mailbox key
-- (lower case, no plus-tag, Gmail dots ignored) and the phone number in E.164 (Dutch numbers may lack the +31).
-- A generated column fills existing rows (the backfill) and every new one, whichever code inserts it.
CREATE FUNCTION rearguard_channel_key(kind TEXT, value TEXT) RETURNS TEXT
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  cleaned TEXT := lower(regexp_replace(value, '^\s+|\s+$', '', 'g'));
  local_part TEXT;
  domain TEXT;
  digits TEXT;
BEGIN
  IF kind = 'email' THEN
    IF cleaned !~ '^[^\s@]+@[^\s@]+\.[^\s@]+$' THEN
      RETURN cleaned;
    END IF;
    local_part := regexp_replace(cleaned, '@[^@]*$', '');
    domain := regexp_replace(regexp_replace(cleaned, '^.*@', ''), '\.$', '');
    IF position('+' IN local_part) > 1 THEN
      local_part := left(local_part, position('+' IN local_part) - 1);
    END IF;
    IF domain IN ('gmail.com', 'googlemail.com') THEN
      domain := 'gmail.com';
      local_part := replace(local_part, '.', '');
    END IF;
    RETURN local_part || '@' || domain;
  END IF;
  -- Phone: "+31 (0)6 ..." drops the trunk zero; 00 is the international prefix; a leading 0 is a Dutch number.
  cleaned := regexp_replace(cleaned, '\(0\)', '', 'g');
  digits := regexp_replace(cleaned, '[^0-9]', '', 'g');
  IF digits = '' THEN
    RETURN cleaned;
  ELSIF cleaned ~ '^\s*\+' THEN
    RETURN '+' || digits;
  ELSIF digits ~ '^00' THEN
    RETURN '+' || substr(digits, 3);
  ELSIF digits ~ '^0' THEN
    RETURN '+31' || substr(digits, 2);
  END IF;
  RETURN '+' || digits;
END
$$;

ALTER TABLE channels ADD COLUMN lookup_key TEXT GENERATED ALWAYS AS (rearguard_channel_key(kind, value)) STORED;
CREATE INDEX channels_lookup ON channels (lookup_key, verified_at) WHERE verified_at IS NOT NULL;

-- A sign-in remembers whose identity it was for (normalised, also when no account has it), so wrong guesses count
-- against that identity across sign-ins, and against the address they came from.
ALTER TABLE sign_ins ADD COLUMN identity_key TEXT;
ALTER TABLE sign_ins ADD COLUMN client_ip TEXT;
