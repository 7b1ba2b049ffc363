-- Idempotency claims expire: a key claimed by a process that crashed is taken over after claimed_until instead of
-- staying "in progress" for ever. Answers that carried a secret are not kept (withheld), and old keys are purged.
ALTER TABLE idempotency_keys ADD COLUMN claimed_until TIMESTAMPTZ;
ALTER TABLE idempotency_keys ADD COLUMN withheld BOOLEAN NOT NULL DEFAULT false;
UPDATE idempotency_keys SET claimed_until = created_at WHERE status_code = 0;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
