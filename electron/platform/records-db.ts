import Database from 'better-sqlite3'
import { closeSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { applyMigrations, refuseNewer } from './migrations.js'
import { RECORDS_MIGRATIONS } from './records-schema.js'

export type RecordsDb = Database.Database

/** The records database's file name inside a data directory. */
export const RECORDS_DB_FILE = 'records.sqlite3'

/**
 * The records database (issued tokens, the audit log, assertion jtis), brought up to this
 * build's schema. WAL with synchronous=NORMAL: a committed transaction survives a process crash
 * without an fsync per commit; only a power loss can take the last moments with it.
 */
export function openRecordsDb(dataDir: string): RecordsDb {
  const file = join(dataDir, RECORDS_DB_FILE)
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

/**
 * A consistent image of the records database as one buffer (a backup), taken through a second,
 * read-only connection: it sees every committed transaction, WAL included. The image is marked
 * as a rollback-journal file (header bytes 18 and 19), since SQLite cannot open a WAL-mode image
 * in memory; openRecordsDb turns WAL on again when the restored file is opened.
 */
export function snapshotRecordsDb(dataDir: string): Buffer {
  const db = new Database(join(dataDir, RECORDS_DB_FILE), { readonly: true, fileMustExist: true })
  try {
    const image = db.serialize()
    image[18] = 1
    image[19] = 1
    return image
  } finally {
    db.close()
  }
}

/**
 * Opens an image from snapshotRecordsDb in memory, checked: SQLite's quick_check passes and the
 * schema is not newer than this build's. The caller closes it.
 */
export function openRecordsImage(image: Buffer): RecordsDb {
  const db = new Database(image)
  try {
    const check = db.pragma('quick_check', { simple: true })
    if (check !== 'ok') throw new Error(`the records database is damaged: ${String(check)}`)
    refuseNewer(db, RECORDS_MIGRATIONS)
  } catch (err) {
    db.close()
    throw err
  }
  return db
}
