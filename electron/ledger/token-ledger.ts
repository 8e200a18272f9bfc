import type { TokenStatusFilter } from '../../shared/enums.js'
import type Database from 'better-sqlite3'
import type { TokenRecordView } from '../../shared/contract/index.js'
import type { RecordsDb } from '../platform/records-db.js'

/**
 * A record re-sent after the signing thread died may already be committed: a second copy of the
 * same id is ignored. Only that conflict: OR IGNORE would also swallow a NOT NULL violation and
 * let a token leave without its record.
 */
export const INSERT_TOKEN_SQL = `INSERT INTO tokens (id, name, owner, issued_at, audience, scope, expiration, client_id, subject, original_token_claims)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`

/** A new record as INSERT_TOKEN_SQL's parameters (also what the signing thread receives). */
export function tokenRow(r: TokenRecord): TokenRow {
  return [
    r.id,
    r.name,
    r.owner,
    r.issuedAt,
    JSON.stringify(r.audience),
    JSON.stringify(r.scope),
    r.expiration,
    r.clientId,
    r.subject,
    r.originalTokenClaims === null ? null : JSON.stringify(r.originalTokenClaims),
  ]
}
export type TokenRow = [
  string,
  string,
  string,
  number,
  string,
  string,
  number,
  string,
  string,
  string | null,
]

/** plgd's Token record (interop §1.7), as issued: exactly what the console shows. */
export type TokenRecord = TokenRecordView

export interface LedgerPageQuery {
  clientId?: string | undefined
  owner?: string | undefined
  /** Free text matched (LIKE, case-insensitive for ASCII) against id, name, client and owner. */
  search?: string | undefined
  status: TokenStatusFilter
  offset: number
  limit: number
}

export interface LedgerPage {
  items: TokenRecord[]
  total: number
}

export interface LedgerStats {
  tokens: number
  activeTokens: number
}

export interface OwnerBlacklistResult {
  blacklistedCount: number
  deletedCount: number
}

const COLUMNS = `id, name, owner, issued_at, audience, scope, expiration, client_id, subject,
  original_token_claims, blacklisted_at`

/** A live record: not blacklisted and not yet expired at @now. */
const LIVE = 'blacklisted_at IS NULL AND expiration > @now'

/** The id filter as one bound JSON array: one cached statement whatever the number of ids. */
const ID_IN = 'id IN (SELECT value FROM json_each(@ids))'

/**
 * `column = @param`, kept off its index when an id filter is present (`+column`): without
 * ANALYZE statistics SQLite would otherwise walk all of an owner's records for one jti instead
 * of looking the ids up by primary key.
 */
function equals(column: string, param: string, byId: boolean): string {
  return `${byId ? '+' : ''}${column} = @${param}`
}

const STATUS_WHERE: Record<TokenStatusFilter, string | null> = {
  all: null,
  active: LIVE,
  // A revoked token that later expired is counted once, as revoked: the filters do not overlap.
  expired: 'blacklisted_at IS NULL AND expiration <= @now',
  revoked: 'blacklisted_at IS NOT NULL',
}

interface Row {
  id: string
  name: string
  owner: string
  issued_at: number
  audience: string
  scope: string
  expiration: number
  client_id: string
  subject: string
  original_token_claims: string | null
  blacklisted_at: number | null
}

interface Pending {
  record: TokenRecord
  resolve: () => void
  reject: (err: unknown) => void
}

type Statement = Database.Statement<unknown[]>

/**
 * Every issued token, durable before its response is sent. Records queued in one event-loop
 * turn are committed together in one transaction, so the token endpoint pays no per-request
 * commit.
 *
 * Reads see committed records only; a record is committed before its token leaves the
 * process, so nothing outside can ask about a token the ledger has not got yet.
 */
export class TokenLedger {
  readonly #db: RecordsDb
  readonly #insert: Statement
  readonly #insertBatch: (batch: Pending[]) => void
  readonly #get: Statement
  readonly #statements = new Map<string, Statement>()
  readonly #blacklistForOwner: (owner: string, ids: string[], now: number) => OwnerBlacklistResult
  readonly #page: (items: string, where: string, params: Record<string, unknown>) => LedgerPage
  #queue: Pending[] = []
  #scheduled = false

  constructor(db: RecordsDb) {
    this.#db = db
    this.#insert = db.prepare(INSERT_TOKEN_SQL)
    this.#insertBatch = db.transaction((batch: Pending[]) => {
      for (const { record } of batch) this.#insert.run(...tokenRow(record))
    })
    this.#get = db.prepare(`SELECT ${COLUMNS} FROM tokens WHERE id = ?`)

    const blacklistForOwner = db.transaction(
      (owner: string, ids: string[], now: number): OwnerBlacklistResult => {
        const byId = ids.length > 0
        const where = byId ? `${equals('owner', 'owner', true)} AND ${ID_IN}` : 'owner = @owner'
        const params = byId ? { owner, now, ids: JSON.stringify(ids) } : { owner, now }
        const blacklisted = this.#stmt(
          `UPDATE tokens SET blacklisted_at = @now WHERE ${where} AND ${LIVE}`,
        ).run(params)
        const deleted = this.#stmt(`DELETE FROM tokens WHERE ${where} AND expiration < @now`).run(
          params,
        )
        return { blacklistedCount: blacklisted.changes, deletedCount: deleted.changes }
      },
    )
    // IMMEDIATE: the write lock is taken up front, so another process (the CLI) cannot slip in
    // between the two statements or fail the upgrade from a read snapshot.
    this.#blacklistForOwner = blacklistForOwner.immediate
    // Items and total from one snapshot.
    this.#page = db.transaction(
      (items: string, where: string, params: Record<string, unknown>): LedgerPage => {
        const rows = this.#stmt(items).all(params) as Row[]
        const { n } = this.#stmt(`SELECT count(*) AS n FROM tokens${where}`).get(params) as {
          n: number
        }
        return { items: rows.map(toRecord), total: n }
      },
    )
  }

  /** Resolves once the record is committed. */
  record(record: TokenRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ record, resolve, reject })
      if (!this.#scheduled) {
        this.#scheduled = true
        setImmediate(() => this.flush())
      }
    })
  }

  /** Commits whatever is queued (also called on shutdown). */
  flush(): void {
    this.#scheduled = false
    const batch = this.#queue
    if (batch.length === 0) return
    this.#queue = []
    try {
      this.#insertBatch(batch)
    } catch (err) {
      for (const p of batch) p.reject(err)
      return
    }
    for (const p of batch) p.resolve()
  }

  /** One record by id (= jti), blacklisted or not. The hub's per-jti check: one cached lookup. */
  get(id: string): TokenRecord | undefined {
    const row = this.#get.get(id) as Row | undefined
    return row === undefined ? undefined : toRecord(row)
  }

  /**
   * plgd GET /api/v1/tokens (interop §1.7): the owner's records, newest first, those ids only
   * unless `ids` is empty (then all of them); blacklisted ones only when asked for. Expired ones
   * are included. `page` bounds one response: at most `limit` records, and only those older
   * than the id `before` (the last id of the previous page; ids are time-ordered UUIDv7).
   */
  findForOwner(
    owner: string,
    ids: string[],
    includeBlacklisted: boolean,
    page?: { limit: number; before?: string | undefined },
  ): TokenRecord[] {
    const byId = ids.length > 0
    const where = [equals('owner', 'owner', byId)]
    const params: Record<string, unknown> = { owner }
    if (byId) {
      where.push(ID_IN)
      params.ids = JSON.stringify(ids)
    }
    if (!includeBlacklisted) where.push('blacklisted_at IS NULL')
    if (page?.before !== undefined) {
      where.push('id < @before')
      params.before = page.before
    }
    let sql = `SELECT ${COLUMNS} FROM tokens WHERE ${where.join(' AND ')} ORDER BY id DESC`
    if (page) {
      if (!Number.isSafeInteger(page.limit) || page.limit < 1) {
        throw new RangeError(`limit must be a positive integer, got ${page.limit}`)
      }
      // A top-N sort: SQLite keeps `limit` rows, not the owner's whole ledger.
      sql += ' LIMIT @limit'
      params.limit = page.limit
    }
    return (this.#stmt(sql).all(params) as Row[]).map(toRecord)
  }

  /**
   * plgd DELETE /api/v1/tokens (interop §1.7), in one transaction, over the owner's records
   * (those ids only unless `ids` is empty: then ALL of the owner's): the not yet expired and not
   * yet blacklisted ones are blacklisted at `now`; the expired ones (expiration < now) are
   * deleted. Blacklisting is one-way. Tokens still queued for commit are committed first, so
   * "revoke all" also covers a token minted a moment before it.
   */
  blacklistForOwner(owner: string, ids: string[], now: number): OwnerBlacklistResult {
    this.flush()
    return this.#blacklistForOwner(owner, ids, now)
  }

  /**
   * Blacklists those of `ids` that are live at `now` (RFC 7009 revocation, the console),
   * optionally only the ones of that client and/or owner. Returns the ids it blacklisted, in
   * the order given; an empty `ids` blacklists nothing.
   */
  blacklist(
    ids: string[],
    now: number,
    scope: { clientId?: string; owner?: string } = {},
  ): string[] {
    if (ids.length === 0) return []
    this.flush()
    const where = [ID_IN, LIVE]
    const params: Record<string, unknown> = { ids: JSON.stringify(ids), now }
    if (scope.clientId !== undefined) {
      where.push(equals('client_id', 'clientId', true))
      params.clientId = scope.clientId
    }
    if (scope.owner !== undefined) {
      where.push(equals('owner', 'owner', true))
      params.owner = scope.owner
    }
    const rows = this.#stmt(
      `UPDATE tokens SET blacklisted_at = @now WHERE ${where.join(' AND ')} RETURNING id`,
    ).all(params) as { id: string }[]
    const done = new Set(rows.map((r) => r.id))
    return ids.filter((id) => done.delete(id))
  }

  /**
   * The console's ledger table, newest first. active = not blacklisted and expiration > now;
   * expired = not blacklisted and expiration <= now; revoked = blacklisted (a revoked token that
   * has since expired is revoked only, so that the three filters partition the ledger).
   */
  page(query: LedgerPageQuery, now: number): LedgerPage {
    if (!Number.isSafeInteger(query.offset) || query.offset < 0) {
      throw new RangeError(`offset must be a non-negative integer, got ${query.offset}`)
    }
    if (!Number.isSafeInteger(query.limit) || query.limit < 0) {
      throw new RangeError(`limit must be a non-negative integer, got ${query.limit}`)
    }
    const where: string[] = []
    const params: Record<string, unknown> = { limit: query.limit, offset: query.offset }
    if (query.clientId !== undefined) {
      where.push('client_id = @clientId')
      params.clientId = query.clientId
    }
    if (query.owner !== undefined) {
      where.push('owner = @owner')
      params.owner = query.owner
    }
    if (query.search !== undefined && query.search !== '') {
      where.push(
        `(id LIKE @pattern ESCAPE '\\' OR name LIKE @pattern ESCAPE '\\'` +
          ` OR client_id LIKE @pattern ESCAPE '\\' OR owner LIKE @pattern ESCAPE '\\')`,
      )
      params.pattern = `%${escapeLike(query.search)}%`
    }
    const status = STATUS_WHERE[query.status]
    if (status === undefined) throw new RangeError(`unknown token status ${String(query.status)}`)
    if (status !== null) {
      where.push(status)
      params.now = now
    }
    const filter = where.length ? ` WHERE ${where.join(' AND ')}` : ''
    const items = `SELECT ${COLUMNS} FROM tokens${filter} ORDER BY id DESC LIMIT @limit OFFSET @offset`
    return this.#page(items, filter, params)
  }

  /** All records, and those live at `now` (counted on the partial index of live records). */
  stats(now: number): LedgerStats {
    return this.#stmt(
      `SELECT (SELECT count(*) FROM tokens) AS tokens,
        (SELECT count(*) FROM tokens WHERE ${LIVE}) AS activeTokens`,
    ).get({ now }) as LedgerStats
  }

  /** Deletes the records whose expiration < `before` (now − retention); returns how many. */
  purgeExpired(before: number): number {
    return this.#stmt('DELETE FROM tokens WHERE expiration < ?').run(before).changes
  }

  /** The latest expiry of any recorded token: a retiring key must outlive it. */
  latestExpiration(): number {
    return (
      (this.#stmt('SELECT max(expiration) AS m FROM tokens').get() as { m: number | null }).m ?? 0
    )
  }

  /** Prepared once per distinct SQL text; the variants are a small, fixed set. */
  #stmt(sql: string): Statement {
    let statement = this.#statements.get(sql)
    if (statement === undefined) {
      statement = this.#db.prepare(sql)
      this.#statements.set(sql, statement)
    }
    return statement
  }
}

/** `\`, `%` and `_` taken literally in a LIKE pattern with ESCAPE '\'. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

function toRecord(row: Row): TokenRecord {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    issuedAt: row.issued_at,
    audience: JSON.parse(row.audience) as string[],
    scope: JSON.parse(row.scope) as string[],
    expiration: row.expiration,
    clientId: row.client_id,
    subject: row.subject,
    originalTokenClaims:
      row.original_token_claims === null
        ? null
        : (JSON.parse(row.original_token_claims) as Record<string, unknown>),
    blacklisted: row.blacklisted_at === null ? null : { flag: true, timestamp: row.blacklisted_at },
  }
}
