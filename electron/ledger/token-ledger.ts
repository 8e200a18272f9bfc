import type { RecordsDb } from '../platform/records-db.js'

/** plgd's Token record (interop §1.7), as issued. */
export interface TokenRecord {
  id: string
  name: string
  owner: string
  issuedAt: number
  audience: string[]
  scope: string[]
  expiration: number
  clientId: string
  subject: string
  originalTokenClaims: Record<string, unknown> | null
  blacklisted: { flag: boolean; timestamp: number } | null
}

export interface LedgerQuery {
  owner?: string
  clientId?: string
  ids?: string[]
  includeBlacklisted?: boolean
  limit?: number
}

const SCHEMA = `
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
CREATE INDEX IF NOT EXISTS tokens_owner ON tokens (owner, issued_at);
CREATE INDEX IF NOT EXISTS tokens_client ON tokens (client_id, issued_at);
CREATE INDEX IF NOT EXISTS tokens_expiration ON tokens (expiration);
`

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

/**
 * Every issued token, durable before its response is sent. Records queued in one event-loop
 * turn are committed together in one transaction, so the token endpoint pays no per-request
 * commit.
 */
export class TokenLedger {
  readonly #db: RecordsDb
  readonly #insert: import('better-sqlite3').Statement<unknown[]>
  readonly #insertBatch: (batch: Pending[]) => void
  #queue: Pending[] = []
  #scheduled = false

  constructor(db: RecordsDb) {
    this.#db = db
    db.exec(SCHEMA)
    this.#insert = db.prepare(
      `INSERT INTO tokens (id, name, owner, issued_at, audience, scope, expiration, client_id, subject, original_token_claims)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#insertBatch = db.transaction((batch: Pending[]) => {
      for (const { record: r } of batch) {
        this.#insert.run(
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
        )
      }
    })
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

  find(query: LedgerQuery = {}): TokenRecord[] {
    const where: string[] = []
    const args: unknown[] = []
    if (query.owner !== undefined) {
      where.push('owner = ?')
      args.push(query.owner)
    }
    if (query.clientId !== undefined) {
      where.push('client_id = ?')
      args.push(query.clientId)
    }
    if (query.ids && query.ids.length > 0) {
      where.push(`id IN (${query.ids.map(() => '?').join(', ')})`)
      args.push(...query.ids)
    }
    if (!query.includeBlacklisted) where.push('blacklisted_at IS NULL')
    const sql = `SELECT * FROM tokens ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY issued_at DESC, id LIMIT ?`
    const rows = this.#db.prepare(sql).all(...args, query.limit ?? 1000) as Row[]
    return rows.map(toRecord)
  }

  count(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM tokens').get() as { n: number }).n
  }
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
