-- A failing erasure is retried with a growing pause instead of every scheduler round, until it succeeds: the desk is
-- alerted at the first failure and again when the request passes its 24-hour limit (protection_alerts, ops.alert).
ALTER TABLE erasure_requests ADD COLUMN next_attempt_at TIMESTAMPTZ;
