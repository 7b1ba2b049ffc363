-- A consumer's request for a human review is answered within REVIEW_REQUEST_SLA_HOURS: the due time is kept with the
-- case so the desk can list overdue requests first and /metrics can count them. Earlier requests get the default 48h.
ALTER TABLE cases ADD COLUMN answer_due_at TIMESTAMPTZ;
UPDATE cases SET answer_due_at = opened_at + INTERVAL '48 hours' WHERE kind = 'review_request';
CREATE INDEX cases_review_requests_due ON cases (answer_due_at, id) WHERE kind = 'review_request';
