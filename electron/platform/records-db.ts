import Database from 'better-sqlite3'
import { closeSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { applyMigrations, refuseNewer } from './migrations.js'
import { RECORDS_MIGRATIONS } from './records-schema.js'

export type RecordsDb = Database.Database

/**
 * The records database (issued tokens, the audit log, assertion jtis), brought up to this
 * build's schema. WAL with synchronous=NORMAL: a committed transaction survives a process crash
 * without an fsync per commit; only a power loss can take the last moments with it.
 */
export function openRecordsDb(dataDir: string): RecordsDb {
  const file = join(dataDir, 'records.sqlite3')
  // Created owner-only before SQLite opens it: the ledger says who holds which token.
  closeSync(openSync(file, 'a', 0o600))
  const db = new Database(file)
  try {
    db.pragma('busy_timeout = 5000')
    // Before any pragma that could write: a newer build's database is left exactly as it is.
    refuseNewer(db, RECORDS_MIGRATIONS)
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    // better-sqlite3 builds SQLite with a 16 MiB page cache per connection; the issuer only
    // appends at the right edge of a few B-trees and looks up recent ids, which 2 MiB holds.
    db.pragma('cache_size = -2048')
    applyMigrations(db, RECORDS_MIGRATIONS)
  } catch (err) {
    db.close()
    throw err
  }
  return db
}
