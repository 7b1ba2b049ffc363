-- Erasure (GDPR Art. 17): durable requests worked by any node, and restricted storage for what the law makes us keep.

-- One row per request, written before the 2xx: a crash after accepting loses nothing (the worker picks it up again).
-- `identifiers` holds what the request named (an e-mail, a phone, the account) only until the work is done.
CREATE TABLE erasure_requests (
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL CHECK (source IN ('portal', 'admin')),
  account_id TEXT,
  identifiers JSONB,
  -- Which request from the mailbox this is (admin): the same reference twice is the same request (idempotent).
  reference TEXT UNIQUE,
  -- pending until done: the worker locks the row (FOR UPDATE SKIP LOCKED) for the one transaction that erases.
  status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
  requested_at TIMESTAMPTZ NOT NULL,
  -- The goal (one hour) and the limit (24 hours) the request is measured against.
  due_at TIMESTAMPTZ NOT NULL,
  limit_at TIMESTAMPTZ NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  finished_at TIMESTAMPTZ,
  -- Numbered in finishing order (not by clock): each node purges its memory once it sees a higher number.
  finished_seq BIGINT,
  -- What was erased (per store, counts) and what was kept (kind, legal basis, until when): never personal data.
  result JSONB
);
CREATE INDEX erasure_requests_open ON erasure_requests (requested_at) WHERE status = 'pending';
CREATE SEQUENCE erasure_finished_seq;
CREATE INDEX erasure_requests_finished ON erasure_requests (finished_seq);

-- Kept because the law requires it, not for normal use: no API reads this table; each row is deleted on keep_until.
CREATE TABLE restricted_records (
  id TEXT PRIMARY KEY,
  request_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('invoice', 'open_debt', 'fraud_incident')),
  legal_basis TEXT NOT NULL,
  keep_until TIMESTAMPTZ NOT NULL,
  payload JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX restricted_records_due ON restricted_records (keep_until);

-- Retention: abandoned sessions, expired challenges and old decision inputs are found by time.
CREATE INDEX challenges_expires ON challenges (expires_at);
CREATE INDEX decisions_account ON decisions (account_id);
CREATE INDEX sessions_created ON sessions (created_at);
