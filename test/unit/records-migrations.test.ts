// @vitest-environment node
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { applyMigrations, userVersion, type Migration } from '../../electron/platform/migrations.js'
import { RECORDS_MIGRATIONS } from '../../electron/platform/records-schema.js'

// Each step fails if run twice (plain CREATE TABLE), so a step applied again shows as an error.
const STEPS: Migration[] = [
  { version: 1, name: 'a', sql: 'CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);' },
  { version: 2, name: 'b', sql: 'CREATE TABLE b (y TEXT);' },
  { version: 3, name: 'a.z', sql: 'ALTER TABLE a ADD COLUMN z TEXT;' },
]

let db: Database.Database
beforeEach(() => {
  db = new Database(':memory:')
})
afterEach(() => {
  db.close()
})

const tables = (): string[] =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string
    }[]
  ).map((r) => r.name)

const columns = (table: string): string[] =>
  (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name)

describe('applyMigrations', () => {
  it('applies every step to a new database', () => {
    expect(applyMigrations(db, STEPS)).toEqual({ from: 0, to: 3 })
    expect(userVersion(db)).toBe(3)
    expect(tables()).toEqual(['a', 'b'])
    expect(columns('a')).toEqual(['x', 'z'])
  })

  it('applies only the steps after the version the database has', () => {
    db.exec('CREATE TABLE a (x INTEGER); PRAGMA user_version = 1;')
    expect(applyMigrations(db, STEPS)).toEqual({ from: 1, to: 3 })
    expect(tables()).toEqual(['a', 'b'])
    // Step 1's INSERT did not run again.
    expect(db.prepare('SELECT count(*) AS n FROM a').get()).toEqual({ n: 0 })
  })

  it('does nothing to a database at the latest version', () => {
    applyMigrations(db, STEPS)
    expect(applyMigrations(db, STEPS)).toEqual({ from: 3, to: 3 })
    expect(db.prepare('SELECT count(*) AS n FROM a').get()).toEqual({ n: 1 })
  })

  it('rolls a failing step back whole and keeps the version of the step before', () => {
    const failing: Migration[] = [
      STEPS[0]!,
      { version: 2, name: 'half', sql: 'CREATE TABLE c (w TEXT); INSERT INTO missing VALUES (1);' },
    ]
    expect(() => applyMigrations(db, failing)).toThrow(
      'records database migration 2 (half) failed: no such table: missing',
    )
    expect(userVersion(db)).toBe(1)
    expect(tables()).toEqual(['a'])
    expect(db.inTransaction).toBe(false)
    // Fixed, it applies from there.
    expect(applyMigrations(db, STEPS)).toEqual({ from: 1, to: 3 })
  })

  it('refuses a database written by a newer version and leaves it alone', () => {
    db.exec('CREATE TABLE future (q TEXT); PRAGMA user_version = 7;')
    expect(() => applyMigrations(db, STEPS)).toThrow(
      'the records database was written by a newer version (schema 7, this build knows 3): ' +
        'open it with that version or a later one',
    )
    expect(userVersion(db)).toBe(7)
    expect(tables()).toEqual(['future'])
  })

  it('refuses a list whose versions are not 1, 2, 3… in order', () => {
    const gap = [STEPS[0]!, STEPS[2]!]
    expect(() => applyMigrations(db, gap)).toThrow('migration a.z has version 3, expected 2')
    expect(userVersion(db)).toBe(0)
    expect(tables()).toEqual([])
  })
})

describe('RECORDS_MIGRATIONS', () => {
  const schema = (): string[] =>
    (
      db
        .prepare("SELECT type || ' ' || name AS o FROM sqlite_master WHERE sql IS NOT NULL")
        .all() as { o: string }[]
    )
      .map((r) => r.o)
      .sort()

  it('adopts a database that 0.1.0 wrote (its tables, user_version 0) without losing a row', () => {
    applyMigrations(db, RECORDS_MIGRATIONS)
    const latest = schema()
    db.exec(`INSERT INTO tokens (id, name, owner, issued_at, audience, scope, expiration, client_id,
      subject) VALUES ('t', '', 'o', 1, '[]', '[]', 2, 'c', 's');
      INSERT INTO audit VALUES (1, 1, 'a', 'b', 'c', '{}', 'p', 'h');
      INSERT INTO assertion_jti VALUES ('c', 'j', 3, 1);
      PRAGMA user_version = 0;`)
    expect(applyMigrations(db, RECORDS_MIGRATIONS)).toEqual({
      from: 0,
      to: RECORDS_MIGRATIONS.length,
    })
    expect(schema()).toEqual(latest)
    for (const table of ['tokens', 'audit', 'assertion_jti']) {
      expect(db.prepare(`SELECT count(*) AS n FROM ${table}`).get()).toEqual({ n: 1 })
    }
  })

  it('creates the tables, indexes and triggers the ledger classes prepare statements on', () => {
    applyMigrations(db, RECORDS_MIGRATIONS)
    expect(schema()).toEqual([
      'index assertion_jti_exp',
      'index job_items_by_rev',
      'index job_items_by_state',
      'index jobs_by_state',
      'index tokens_by_client',
      'index tokens_by_expiry',
      'index tokens_by_owner',
      'table assertion_jti',
      'table audit',
      'table job_items',
      'table jobs',
      'table tokens',
      'trigger audit_no_delete',
      'trigger audit_no_update',
    ])
  })
})
