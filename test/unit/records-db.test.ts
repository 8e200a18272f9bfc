// @vitest-environment node
import Database from 'better-sqlite3'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openRecordsDb } from '../../electron/platform/records-db.js'
import { RECORDS_MIGRATIONS } from '../../electron/platform/records-schema.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plgd-m2m-records-'))
  dirs.push(dir)
  return dir
}

describe('openRecordsDb', () => {
  it('opens an owner-only WAL database with a small page cache', () => {
    const dir = tempDir()
    const db = openRecordsDb(dir)
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
      expect(db.pragma('synchronous', { simple: true })).toBe(1) // NORMAL
      // Not better-sqlite3's 16 MiB default: each connection (the signing thread has its own)
      // would keep that much after a burst of issuing.
      expect(db.pragma('cache_size', { simple: true })).toBe(-2048)
      expect(statSync(join(dir, 'records.sqlite3')).mode & 0o777).toBe(0o600)
    } finally {
      db.close()
    }
  })

  it('brings a new database to the latest schema, and a second connection finds it there', () => {
    const dir = tempDir()
    const db = openRecordsDb(dir)
    // The signing thread opens its own connection while the app holds one.
    const second = openRecordsDb(dir)
    try {
      for (const conn of [db, second]) {
        expect(conn.pragma('user_version', { simple: true })).toBe(RECORDS_MIGRATIONS.length)
      }
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .all()
      expect(tables).toEqual([
        { name: 'assertion_jti' },
        { name: 'audit' },
        { name: 'job_items' },
        { name: 'jobs' },
        { name: 'tokens' },
      ])
    } finally {
      second.close()
      db.close()
    }
  })

  it('refuses a database written by a newer version and does not change a byte of it', () => {
    const dir = tempDir()
    const file = join(dir, 'records.sqlite3')
    const newer = RECORDS_MIGRATIONS.length + 1
    // A rollback-journal file, so every byte SQLite could write would land in it.
    const future = new Database(file)
    future.exec(`CREATE TABLE tokens (id TEXT PRIMARY KEY, shape_we_do_not_know BLOB);
      INSERT INTO tokens VALUES ('t', x'00'); PRAGMA user_version = ${newer};`)
    future.close()
    const digest = (): string => createHash('sha256').update(readFileSync(file)).digest('hex')
    const before = digest()

    expect(() => openRecordsDb(dir)).toThrow(
      `the records database was written by a newer version (schema ${newer}, this build knows ` +
        `${RECORDS_MIGRATIONS.length}): open it with that version or a later one`,
    )
    expect(digest()).toBe(before)
    expect(readdirSync(dir)).toEqual(['records.sqlite3'])
    const check = new Database(file, { readonly: true })
    try {
      expect(check.pragma('journal_mode', { simple: true })).toBe('delete')
    } finally {
      check.close()
    }
  })
})
