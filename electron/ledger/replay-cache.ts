import type Database from 'better-sqlite3'
import type { RecordsDb } from '../platform/records-db.js'

/**
 * The `jti`s of RFC 7523 client assertions already accepted, per client, in the records
 * database so a restart does not reopen the replay window. A claim is committed before it
 * returns, with a full sync even though the database otherwise runs synchronous=NORMAL: losing
 * one to a power cut would let that assertion be replayed. Assertions are rare; the token
 * ledger's hot path is unaffected.
 */
export class ReplayCache {
  readonly #db: RecordsDb
  readonly #nowSeconds: () => number
  readonly #insert: Database.Statement<[string, string, number, number]>
  readonly #purge: Database.Statement<[number]>

  constructor(db: RecordsDb, nowSeconds: () => number) {
    this.#db = db
    this.#nowSeconds = nowSeconds
    this.#insert = db.prepare(
      'INSERT OR IGNORE INTO assertion_jti (client_id, jti, exp, seen_at) VALUES (?, ?, ?, ?)',
    )
    this.#purge = db.prepare('DELETE FROM assertion_jti WHERE exp < ?')
  }

  /**
   * True the first time this client presents this jti; false while an earlier claim is kept
   * (until purgeExpired removes it). `exp` is the assertion's expiry, which bounds how long
   * the claim must be kept.
   */
  claim(clientId: string, jti: string, exp: number): boolean {
    return this.#durably(
      () => this.#insert.run(clientId, jti, exp, this.#nowSeconds()).changes === 1,
    )
  }

  /**
   * Forgets the claims whose exp < `now`; returns how many. Pass now minus any clock-skew
   * leeway the assertion check allows, or an assertion still accepted could be replayed.
   */
  purgeExpired(now: number): number {
    return this.#purge.run(now).changes
  }

  /** Runs one autocommit write with synchronous=FULL, then restores the connection's level. */
  #durably<T>(write: () => T): T {
    // The level cannot change inside a transaction; there the outer commit decides.
    if (this.#db.inTransaction) return write()
    const level = this.#db.pragma('synchronous', { simple: true }) as number
    if (level >= 2) return write()
    this.#db.pragma('synchronous = FULL')
    try {
      return write()
    } finally {
      this.#db.pragma(`synchronous = ${level}`)
    }
  }
}
