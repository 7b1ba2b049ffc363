-- Retention: unauthenticated tables (sign-ins, passkey ceremonies, consumer sessions, rate-limit counters) are purged
-- by the scheduler once expired; these indexes keep each purge a range scan instead of a full table scan.
CREATE INDEX sign_ins_expires ON sign_ins (expires_at);
CREATE INDEX webauthn_ceremonies_expires ON webauthn_ceremonies (expires_at);
CREATE INDEX consumer_sessions_expires ON consumer_sessions (expires_at);
CREATE INDEX rate_limit_counters_window ON rate_limit_counters (window_start);
