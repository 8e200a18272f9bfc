import type Database from 'better-sqlite3'
import type {
  JobCounts,
  JobItemState,
  JobItemView,
  JobKind,
  JobState,
  JobView,
} from '../../shared/contract/index.js'
import { JOB_ITEM_STATES } from '../../shared/contract/index.js'
import type { RecordsDb } from '../platform/records-db.js'

/** Item states after which the runner never touches an item again (unless a resume revives). */
export const FINAL_ITEM_STATES: readonly JobItemState[] = ['done', 'failed', 'timeout', 'cancelled']
export const isFinalItem = (state: JobItemState): boolean => FINAL_ITEM_STATES.includes(state)
/** Job states in which nothing runs. */
export const FINAL_JOB_STATES: readonly JobState[] = ['done', 'failed', 'cancelled', 'interrupted']

/** One item change as the runner writes it: detail undefined keeps the stored one. */
export interface ItemWrite {
  key: string
  state: JobItemState
  detail?: Record<string, unknown> | undefined
  message?: string | null | undefined
}

export interface NewJob {
  id: string
  kind: JobKind
  hub: string
  title: string
  input: unknown
  concurrency: number
  keys: Iterable<string>
}

interface JobRow {
  id: string
  kind: JobKind
  hub: string
  title: string
  input: string
  state: JobState
  concurrency: number
  error: string | null
  rev: number
  created_at: number
  updated_at: number
}
interface ItemRow {
  seq: number
  key: string
  state: JobItemState
  detail: string
  message: string | null
  rev: number
  updated_at: number
}

const NOT_FINAL = `state IN ('pending', 'running')`
const STOPPED = `state IN ('done', 'failed', 'cancelled', 'interrupted')`

/**
 * The jobs and their items in the records database. Every write is one transaction; reads page
 * by seq or rev, so nothing here holds a job's items in memory. Times are Unix seconds.
 */
export class JobStore {
  readonly #db: RecordsDb
  readonly #now: () => number
  readonly #s: ReturnType<typeof prepare>

  constructor(db: RecordsDb, nowSeconds: () => number) {
    this.#db = db
    this.#now = nowSeconds
    this.#s = prepare(db)
  }

  create(job: NewJob): void {
    const now = this.#now()
    this.#db.transaction(() => {
      this.#s.insertJob.run(
        job.id,
        job.kind,
        job.hub,
        job.title,
        JSON.stringify(job.input),
        'queued',
        job.concurrency,
        now,
        now,
      )
      let seq = 0
      for (const key of job.keys) {
        seq += 1
        this.#s.insertItem.run(job.id, seq, key, 'pending', '{}', null, seq, now)
      }
      this.#s.setRev.run(seq, now, job.id)
    })()
  }

  /** The job's row and input, or undefined. */
  find(id: string): { view: JobView; input: unknown } | undefined {
    const row = this.#s.getJob.get(id) as JobRow | undefined
    if (!row) return undefined
    return { view: this.#view(row), input: JSON.parse(row.input) as unknown }
  }

  list(limit: number, offset: number): { items: JobView[]; total: number } {
    const rows = this.#s.listJobs.all(limit, offset) as JobRow[]
    const { n } = this.#s.countJobs.get() as { n: number }
    return { items: rows.map((r) => this.#view(r)), total: n }
  }

  counts(id: string): JobCounts {
    const counts = Object.fromEntries(JOB_ITEM_STATES.map((s) => [s, 0])) as JobCounts
    counts.total = 0
    for (const { state, n } of this.#s.counts.all(id) as { state: JobItemState; n: number }[]) {
      counts[state] = n
      counts.total += n
    }
    return counts
  }

  setState(id: string, state: JobState, error: string | null = null): void {
    this.#s.setState.run(state, error, this.#now(), id)
  }

  /** At open: what was running when the app stopped is interrupted; returns how many. */
  markInterrupted(): number {
    return this.#s.interrupt.run(this.#now()).changes
  }

  /** Deletes the jobs that stopped before `before` (Unix seconds), with their items. */
  purgeStopped(before: number): number {
    return this.#db.transaction(() => {
      this.#s.purgeItems.run(before)
      return this.#s.purgeJobs.run(before).changes
    })()
  }

  /** Items not final after `afterSeq`, in seq order, at most `limit`. */
  pendingPage(id: string, afterSeq: number, limit: number): { seq: number; key: string }[] {
    return this.#s.pending.all(id, afterSeq, limit) as { seq: number; key: string }[]
  }

  /** Writes item changes in one transaction, each with the job's next rev. */
  write(id: string, changes: Iterable<ItemWrite>): void {
    const now = this.#now()
    this.#db.transaction(() => {
      let rev = (this.#s.getRev.get(id) as { rev: number }).rev
      for (const c of changes) {
        rev += 1
        const detail = c.detail === undefined ? null : JSON.stringify(c.detail)
        this.#s.updateItem.run(c.state, detail, c.message ?? null, rev, now, id, c.key)
      }
      this.#s.setRev.run(rev, now, id)
    })()
  }

  /** Adds items (a listing); a key already there is updated instead. One transaction. */
  append(id: string, items: Iterable<ItemWrite>): void {
    const now = this.#now()
    this.#db.transaction(() => {
      let rev = (this.#s.getRev.get(id) as { rev: number }).rev
      let seq = (this.#s.maxSeq.get(id) as { seq: number }).seq
      for (const c of items) {
        rev += 1
        seq += 1
        const detail = JSON.stringify(c.detail ?? {})
        this.#s.upsertItem.run(id, seq, c.key, c.state, detail, c.message ?? null, rev, now)
      }
      this.#s.setRev.run(rev, now, id)
    })()
  }

  /**
   * Moves every item in one of `from` to `to`, each with its own rev (base + seq keeps them
   * distinct without a loop), so pollers see each change.
   */
  moveItems(id: string, from: readonly JobItemState[], to: JobItemState): number {
    const now = this.#now()
    return this.#db.transaction(() => {
      const { rev } = this.#s.getRev.get(id) as { rev: number }
      const { seq } = this.#s.maxSeq.get(id) as { seq: number }
      const placeholders = from.map(() => '?').join(', ')
      const moved = this.#db
        .prepare(
          `UPDATE job_items SET state = ?, rev = ? + seq, updated_at = ?, message = NULL
           WHERE job_id = ? AND state IN (${placeholders})`,
        )
        .run(to, rev, now, id, ...from).changes
      if (moved > 0) this.#s.setRev.run(rev + seq, now, id)
      return moved
    })()
  }

  /** Items changed after `since`, oldest change first. */
  changedSince(id: string, since: number, limit: number): JobItemView[] {
    return (this.#s.since.all(id, since, limit) as ItemRow[]).map(itemView)
  }

  /** Items in seq order after `afterSeq` (the report pages through these). */
  itemsBySeq(id: string, afterSeq: number, limit: number): JobItemView[] {
    return (this.#s.bySeq.all(id, afterSeq, limit) as ItemRow[]).map(itemView)
  }

  #view(row: JobRow): JobView {
    return {
      id: row.id,
      kind: row.kind,
      hub: row.hub,
      title: row.title,
      state: row.state,
      counts: this.counts(row.id),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      error: row.error,
      concurrency: row.concurrency,
    }
  }
}

function itemView(row: ItemRow): JobItemView {
  return {
    seq: row.seq,
    key: row.key,
    state: row.state,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
    message: row.message,
    rev: row.rev,
    updatedAt: row.updated_at,
  }
}

function prepare(db: Database.Database) {
  return {
    insertJob: db.prepare(
      `INSERT INTO jobs (id, kind, hub, title, input, state, concurrency, error, rev, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 0, ?, ?)`,
    ),
    insertItem: db.prepare(
      `INSERT INTO job_items (job_id, seq, key, state, detail, message, rev, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, key) DO NOTHING`,
    ),
    upsertItem: db.prepare(
      `INSERT INTO job_items (job_id, seq, key, state, detail, message, rev, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, key) DO UPDATE SET
       state = excluded.state, detail = excluded.detail, message = excluded.message,
       rev = excluded.rev, updated_at = excluded.updated_at`,
    ),
    updateItem: db.prepare(
      `UPDATE job_items SET state = ?, detail = COALESCE(?, detail), message = ?, rev = ?,
       updated_at = ? WHERE job_id = ? AND key = ?`,
    ),
    getJob: db.prepare('SELECT * FROM jobs WHERE id = ?'),
    listJobs: db.prepare('SELECT * FROM jobs ORDER BY id DESC LIMIT ? OFFSET ?'),
    countJobs: db.prepare('SELECT count(*) AS n FROM jobs'),
    counts: db.prepare(
      'SELECT state, count(*) AS n FROM job_items WHERE job_id = ? GROUP BY state',
    ),
    getRev: db.prepare('SELECT rev FROM jobs WHERE id = ?'),
    setRev: db.prepare('UPDATE jobs SET rev = ?, updated_at = ? WHERE id = ?'),
    maxSeq: db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM job_items WHERE job_id = ?'),
    setState: db.prepare('UPDATE jobs SET state = ?, error = ?, updated_at = ? WHERE id = ?'),
    purgeItems: db.prepare(
      `DELETE FROM job_items WHERE job_id IN
       (SELECT id FROM jobs WHERE ${STOPPED} AND updated_at < ?)`,
    ),
    purgeJobs: db.prepare(`DELETE FROM jobs WHERE ${STOPPED} AND updated_at < ?`),
    interrupt: db.prepare(
      `UPDATE jobs SET state = 'interrupted', updated_at = ? WHERE state IN ('running', 'queued')`,
    ),
    pending: db.prepare(
      `SELECT seq, key FROM job_items WHERE job_id = ? AND seq > ? AND ${NOT_FINAL}
       ORDER BY seq LIMIT ?`,
    ),
    since: db.prepare('SELECT * FROM job_items WHERE job_id = ? AND rev > ? ORDER BY rev LIMIT ?'),
    bySeq: db.prepare('SELECT * FROM job_items WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
  }
}
