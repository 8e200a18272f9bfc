import type { Migration } from './migrations.js'

/**
 * Version 1 is the schema of 0.1.0, which each ledger class created on construction and which
 * left user_version at 0. Every statement is IF [NOT] EXISTS, so such a database is adopted as
 * it is, records kept.
 *
 * tokens: newest first is id order (ids are UUIDv7 jtis, time-ordered to the millisecond), so the
 * primary key and each index (which ends in the key) are already in that order. Three indexes and
 * no more: every one is written for every token issued, and the token endpoint is the hot path.
 * - tokens_by_owner, tokens_by_client: an owner's or a client's records, newest first.
 * - tokens_by_expiry: purging, the latest expiry, and counting live tokens without reading the
 *   table (blacklisted_at is in it).
 * The five indexes of versions before 0.1.0 are dropped.
 *
 * audit: append-only, hash-chained (see AuditLog); the triggers refuse UPDATE and DELETE.
 *
 * assertion_jti: the jtis of accepted RFC 7523 client assertions, per client (see ReplayCache).
 */
const V1_TOKENS_AUDIT_REPLAY = `
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY,
  version INTEGER NOT NULL DEFAULT 0,
  name TEXT NOT NULL,
  owner TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  audience TEXT NOT NULL,
  scope TEXT NOT NULL,
  expiration INTEGER NOT NULL,
  client_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  original_token_claims TEXT,
  blacklisted_at INTEGER
) WITHOUT ROWID;
DROP INDEX IF EXISTS tokens_owner;
DROP INDEX IF EXISTS tokens_client;
DROP INDEX IF EXISTS tokens_expiration;
DROP INDEX IF EXISTS tokens_issued;
DROP INDEX IF EXISTS tokens_live;
CREATE INDEX IF NOT EXISTS tokens_by_owner ON tokens (owner);
CREATE INDEX IF NOT EXISTS tokens_by_client ON tokens (client_id);
CREATE INDEX IF NOT EXISTS tokens_by_expiry ON tokens (expiration, blacklisted_at);

CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE IF NOT EXISTS assertion_jti (
  client_id TEXT NOT NULL,
  jti TEXT NOT NULL,
  exp INTEGER NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (client_id, jti)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS assertion_jti_exp ON assertion_jti (exp);
`

/**
 * jobs: long work as data (see electron/jobs/). `rev` is the job's change counter: every item
 * change takes the next value, so `jobs.items({ since })` pages what changed, oldest first.
 *
 * job_items: one row per device (or listed device), `seq` its order of creation. Indexes:
 * - job_items_by_rev: the changes since a rev (the UI's and the CLI's polling);
 * - job_items_by_state: counts by state, and the items not yet final (resume) without a scan.
 */
const V2_JOBS = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  hub TEXT NOT NULL,
  title TEXT NOT NULL,
  input TEXT NOT NULL,
  state TEXT NOT NULL,
  concurrency INTEGER NOT NULL,
  error TEXT,
  rev INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state);

CREATE TABLE IF NOT EXISTS job_items (
  job_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  key TEXT NOT NULL,
  state TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}',
  message TEXT,
  rev INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (job_id, seq),
  UNIQUE (job_id, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS job_items_by_rev ON job_items (job_id, rev);
CREATE INDEX IF NOT EXISTS job_items_by_state ON job_items (job_id, state);
`

/**
 * The records database's schema, oldest step first: a new table (jobs, hub profiles…) or a
 * change to one is one more entry at the end, with the next version. Plain SQL, no domain
 * imports: platform/ owns the file and its shape, the domains only prepare statements on it.
 */
export const RECORDS_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'tokens, audit and assertion_jti as of 0.1.0', sql: V1_TOKENS_AUDIT_REPLAY },
  { version: 2, name: 'jobs and job_items', sql: V2_JOBS },
]
