import { createHash } from 'node:crypto'
import type Database from 'better-sqlite3'
import type {
  AuditEntry,
  AuditFilters,
  AuditPage,
  AuditVerification,
} from '../../shared/contract/index.js'
import { canonicalJson } from '../platform/canonical-json.js'
import type { RecordsDb } from '../platform/records-db.js'
import { escapeLike } from './token-ledger.js'

export { canonicalJson }

export interface AuditInput {
  actor: string
  action: string
  subject: string
  details?: Record<string, unknown>
}

/** One line of the JSONL export: every stored field. */
export interface AuditExportLine extends AuditEntry {
  prevHash: string
}

/** The first entry's predecessor. */
export const GENESIS_HASH = '0'.repeat(64)

/**
 * Keys that must never reach the audit log, at any depth. Callers record ids, kids and counts;
 * a secret here would outlive every rotation, since the log can never be rewritten.
 */
const SECRET_KEY = /secret|password|passphrase|private|pepper|token$|assertion/i

interface Row {
  seq: number
  at: number
  actor: string
  action: string
  subject: string
  details: string
  prev_hash: string
  hash: string
}

const EXPORT_CHUNK = 500

/**
 * Where the log's head is kept outside the records file (with the authenticated settings), so
 * that cutting off the newest entries is seen: the log must reach at least `count` entries, the
 * one at `count` with hash `head`. Saved after each append has committed; a crash in between
 * leaves the anchor one entry behind, which verifies.
 */
export interface AuditAnchorStore {
  load(): { count: number; head: string } | undefined
  save(anchor: { count: number; head: string }): void
}

/**
 * An append-only, hash-chained log of administrative acts, in the records database. Each entry's
 * hash covers its content and its predecessor's hash, so editing, removing or reordering any
 * entry but the newest breaks the chain from there on; triggers refuse UPDATE and DELETE.
 * Whoever can write the file can drop the triggers and rewrite the chain from some entry to the
 * end, or cut off the newest entries: the anchor (AuditAnchorStore), kept elsewhere, catches that.
 */
export class AuditLog {
  readonly #nowSeconds: () => number
  readonly #last: Database.Statement<[]>
  readonly #insert: Database.Statement<unknown[]>
  readonly #page: Database.Statement<[number, number]>
  readonly #count: Database.Statement<[]>
  readonly #all: Database.Statement<[]>
  readonly #after: Database.Statement<[number, number]>
  readonly #append: (entry: AuditInput) => AuditEntry
  readonly #hashAt: Database.Statement<[number]>
  readonly #anchor: AuditAnchorStore | undefined
  readonly #db: RecordsDb

  constructor(db: RecordsDb, nowSeconds: () => number, anchor?: AuditAnchorStore) {
    this.#db = db
    this.#nowSeconds = nowSeconds
    this.#anchor = anchor
    this.#last = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1')
    this.#insert = db.prepare(
      `INSERT INTO audit (seq, at, actor, action, subject, details, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#page = db.prepare('SELECT * FROM audit ORDER BY seq DESC LIMIT ? OFFSET ?')
    this.#count = db.prepare('SELECT count(*) AS n FROM audit')
    this.#hashAt = db.prepare('SELECT hash FROM audit WHERE seq = ?')
    this.#all = db.prepare('SELECT * FROM audit ORDER BY seq')
    this.#after = db.prepare('SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?')
    // IMMEDIATE: the write lock is held from reading the head to inserting after it, so two
    // writers (the app and the CLI) cannot both chain onto the same entry.
    this.#append = db.transaction((input: AuditInput): AuditEntry => {
      const last = this.#last.get() as { seq: number; hash: string } | undefined
      const seq = (last?.seq ?? 0) + 1
      const prevHash = last?.hash ?? GENESIS_HASH
      const at = this.#nowSeconds()
      const details = normalizeDetails(input.details)
      const hash = entryHash({ seq, at, ...fields(input), details, prevHash })
      this.#insert.run(
        seq,
        at,
        input.actor,
        input.action,
        input.subject,
        canonicalJson(details),
        prevHash,
        hash,
      )
      return { seq, at, ...fields(input), details, hash }
    }).immediate
  }

  /**
   * Appends one entry, committed before it returns. Throws if `details` carries a key that looks
   * like a secret (at any depth) or is not JSON.
   */
  append(entry: AuditInput): AuditEntry {
    for (const key of ['actor', 'action', 'subject'] as const) {
      if (typeof entry[key] !== 'string') throw new TypeError(`audit ${key} must be a string`)
    }
    // A log already cut below its anchor keeps the anchor, so `verify` goes on saying so.
    const holds = this.anchorHolds()
    const appended = this.#append(entry)
    if (holds) this.#anchor?.save({ count: appended.seq, head: appended.hash })
    return appended
  }

  /** Whether the log still holds its anchored entry (one indexed read, not a chain walk). */
  anchorHolds(): boolean {
    const anchor = this.#anchor?.load()
    if (anchor === undefined || anchor.count === 0) return true
    const row = this.#hashAt.get(anchor.count) as { hash: string } | undefined
    return row?.hash === anchor.head
  }

  /** The newest entry's position and hash (count 0 for an empty log). */
  head(): { count: number; head: string } {
    const last = this.#last.get() as { seq: number; hash: string } | undefined
    return { count: last?.seq ?? 0, head: last?.hash ?? GENESIS_HASH }
  }

  /** Newest first; with filters, only the matching entries (and their total). */
  list(offset: number, limit: number, filters: AuditFilters = {}): AuditPage {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new RangeError(`offset must be a non-negative integer, got ${offset}`)
    }
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new RangeError(`limit must be a non-negative integer, got ${limit}`)
    }
    const where: string[] = []
    const params: Record<string, unknown> = { limit, offset }
    if (filters.action) {
      where.push(`action LIKE @action ESCAPE '\\'`)
      params.action = `${escapeLike(filters.action)}%`
    }
    if (filters.actor) {
      where.push('actor = @actor')
      params.actor = filters.actor
    }
    if (filters.subject) {
      where.push(`subject LIKE @subject ESCAPE '\\'`)
      params.subject = `%${escapeLike(filters.subject)}%`
    }
    if (filters.search) {
      where.push(
        `(action LIKE @search ESCAPE '\\' OR actor LIKE @search ESCAPE '\\'` +
          ` OR subject LIKE @search ESCAPE '\\' OR details LIKE @search ESCAPE '\\')`,
      )
      params.search = `%${escapeLike(filters.search)}%`
    }
    if (where.length === 0) {
      const rows = this.#page.all(limit, offset) as Row[]
      const { n } = this.#count.get() as { n: number }
      return { items: rows.map((row) => toEntry(row)), total: n }
    }
    const filter = ` WHERE ${where.join(' AND ')}`
    const rows = this.#db
      .prepare(`SELECT * FROM audit${filter} ORDER BY seq DESC LIMIT @limit OFFSET @offset`)
      .all(params) as Row[]
    const { limit: _l, offset: _o, ...countParams } = params
    const { n } = this.#db.prepare(`SELECT count(*) AS n FROM audit${filter}`).get(countParams) as {
      n: number
    }
    return { items: rows.map((row) => toEntry(row)), total: n }
  }

  /**
   * Recomputes the chain from the first entry. `brokenAt` is the first seq whose stored hash is
   * not the hash of its content, whose prev_hash is not its predecessor's hash, or that does not
   * follow its predecessor's seq by one (a removed entry: then the one after the gap). With an
   * anchor, an intact chain must also reach it: when the newest entries were cut off, `brokenAt`
   * is the first missing seq (past `entries`); when the tail was rewritten, the anchored seq.
   */
  verify(): AuditVerification {
    let entries = 0
    let brokenAt: number | undefined
    let expectedSeq = 1
    let prevHash = GENESIS_HASH
    const anchor = this.#anchor?.load()
    let hashAtAnchor: string | undefined
    for (const row of this.#all.iterate() as IterableIterator<Row>) {
      entries++
      if (brokenAt !== undefined) continue
      if (row.seq !== expectedSeq || row.prev_hash !== prevHash || row.hash !== rowHash(row)) {
        brokenAt = row.seq
        continue
      }
      if (row.seq === anchor?.count) hashAtAnchor = row.hash
      expectedSeq = row.seq + 1
      prevHash = row.hash
    }
    if (brokenAt === undefined && anchor !== undefined && anchor.count > 0) {
      if (expectedSeq <= anchor.count) brokenAt = expectedSeq
      else if (hashAtAnchor !== anchor.head) brokenAt = anchor.count
    }
    return brokenAt === undefined ? { ok: true, entries } : { ok: false, entries, brokenAt }
  }

  /**
   * Writes every entry, oldest first, as one JSON object per line, each line ending in "\n";
   * returns how many. Read in chunks, so `write` may use the database (even append).
   */
  exportJsonl(write: (line: string) => void): number {
    let written = 0
    let after = 0
    for (;;) {
      const rows = this.#after.all(after, EXPORT_CHUNK) as Row[]
      for (const row of rows) {
        const line: AuditExportLine = { ...toEntry(row), prevHash: row.prev_hash }
        write(`${JSON.stringify(line)}\n`)
        written++
        after = row.seq
      }
      if (rows.length < EXPORT_CHUNK) return written
    }
  }
}

function fields(input: AuditInput): { actor: string; action: string; subject: string } {
  return { actor: input.actor, action: input.action, subject: input.subject }
}

/** The details as stored: a JSON round trip (what is hashed is exactly what is read back). */
function normalizeDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  if (details === undefined) return {}
  const json = JSON.stringify(details) as string | undefined
  const value: unknown = json === undefined ? undefined : JSON.parse(json)
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError('audit details must be a JSON object')
  }
  const secret = findSecretKey(value, '')
  if (secret !== undefined) {
    throw new Error(`audit details must not carry secrets: refused key ${secret}`)
  }
  return value as Record<string, unknown>
}

/** The path of the first key that looks like a secret, at any depth. */
function findSecretKey(value: unknown, path: string): string | undefined {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findSecretKey(item, `${path}[${i}]`)
      if (found !== undefined) return found
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const here = path === '' ? key : `${path}.${key}`
      if (SECRET_KEY.test(key)) return here
      const found = findSecretKey(item, here)
      if (found !== undefined) return found
    }
  }
  return undefined
}

/** SHA-256 hex of the canonical form of the entry's content and its predecessor's hash. */
export function entryHash(entry: {
  seq: number
  at: number
  actor: string
  action: string
  subject: string
  details: Record<string, unknown>
  prevHash: string
}): string {
  const { seq, at, actor, action, subject, details, prevHash } = entry
  return createHash('sha256')
    .update(canonicalJson({ seq, at, actor, action, subject, details, prevHash }))
    .digest('hex')
}

function rowHash(row: Row): string | undefined {
  const details = parseDetails(row.details)
  if (details === undefined) return undefined
  return entryHash({ ...row, details, prevHash: row.prev_hash })
}

function parseDetails(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

function toEntry(row: Row): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    // A row that no longer parses was tampered with; verify() names it, list() still shows it.
    details: parseDetails(row.details) ?? { unparseable: row.details },
    hash: row.hash,
  }
}
