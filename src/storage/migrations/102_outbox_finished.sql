-- Messages that ended (delivered, or failed for good) by when they ended: the privacy retention deletes them after
-- SENT_MESSAGE_RETENTION_DAYS by an index range scan instead of reading the whole outbox each scheduler minute.
-- Before, nothing deleted them: every notice, code and webhook stayed, with its recipient and text, for ever.
-- A delivered mark changes `status`, a column in outbox_due_by_topic's predicate, so it was never a heap-only update:
-- this index adds one entry per delivery to the ones each mark already writes. The build holds writes to the outbox
-- (a migration is one transaction): on a large outbox, build it first with CREATE INDEX CONCURRENTLY (README).
CREATE INDEX IF NOT EXISTS outbox_finished ON outbox ((coalesce(delivered_at, next_attempt_at)))
  WHERE status IN ('delivered', 'failed');
