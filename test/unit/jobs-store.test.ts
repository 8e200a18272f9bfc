// @vitest-environment node
import Database from 'better-sqlite3'
import { parse } from 'csv-parse/sync'
import { afterEach, describe, expect, it } from 'vitest'
import { jobReportCsv } from '../../electron/jobs/job-report.js'
import { JobStore } from '../../electron/jobs/job-store.js'
import { applyMigrations, userVersion } from '../../electron/platform/migrations.js'
import { RECORDS_MIGRATIONS } from '../../electron/platform/records-schema.js'
import { devices, recordsDb } from './jobs-helpers.js'

let db: Database.Database | undefined
afterEach(() => db?.close())

const newStore = (): JobStore => {
  db = recordsDb()
  return new JobStore(db, () => 1_700_000_000)
}
const job = (id: string, keys: string[]) => ({
  id,
  kind: 'configs.apply' as const,
  hub: 'lab',
  title: 't',
  input: { configId: 'c1' },
  concurrency: 4,
  keys,
})

describe('records database migration 2', () => {
  it('adds jobs and job_items to a database at version 1, its tokens kept', () => {
    db = new Database(':memory:')
    applyMigrations(db, RECORDS_MIGRATIONS.slice(0, 1))
    db.prepare(
      `INSERT INTO tokens (id, name, owner, issued_at, audience, scope, expiration, client_id, subject)
       VALUES ('t1', 'n', 'o', 1, '', '', 2, 'c', 's')`,
    ).run()
    expect(applyMigrations(db, RECORDS_MIGRATIONS)).toEqual({ from: 1, to: 2 })
    expect(userVersion(db)).toBe(2)
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()
    expect(tables).toEqual(expect.arrayContaining([{ name: 'jobs' }, { name: 'job_items' }]))
    expect(db.prepare('SELECT id FROM tokens').all()).toEqual([{ id: 't1' }])
    // A job can be written at once.
    const store = new JobStore(db, () => 1)
    store.create(job('j1', ['a']))
    expect(store.find('j1')?.view.counts.total).toBe(1)
  })
})

describe('JobStore', () => {
  it('creates a job with its items once per key, in order, and its input', () => {
    const store = newStore()
    store.create(job('j1', ['b', 'a', 'b']))
    const found = store.find('j1')!
    expect(found.input).toEqual({ configId: 'c1' })
    expect(found.view).toMatchObject({ state: 'queued', counts: { total: 2, pending: 2 } })
    expect(store.itemsBySeq('j1', 0, 10).map((i) => i.key)).toEqual(['b', 'a'])
  })

  it('pages changes by rev, every change with a rev of its own', () => {
    const store = newStore()
    store.create(job('j1', devices(5)))
    const start = store.changedSince('j1', 0, 100)
    const since = start.at(-1)!.rev
    store.write('j1', [
      { key: 'd0002', state: 'done', detail: { status: 'DONE' } },
      { key: 'd0004', state: 'failed', message: 'timeout at the device' },
    ])
    store.moveItems('j1', ['pending'], 'cancelled')
    const changed = store.changedSince('j1', since, 100)
    expect(changed.map((i) => [i.key, i.state])).toEqual([
      ['d0002', 'done'],
      ['d0004', 'failed'],
      ['d0001', 'cancelled'],
      ['d0003', 'cancelled'],
      ['d0005', 'cancelled'],
    ])
    expect(new Set(changed.map((i) => i.rev)).size).toBe(5)
    // Paged two at a time, nothing is skipped or repeated.
    const paged: string[] = []
    for (let rev = since; ;) {
      const page = store.changedSince('j1', rev, 2)
      if (page.length === 0) break
      paged.push(...page.map((i) => i.key))
      rev = page.at(-1)!.rev
    }
    expect(paged).toEqual(changed.map((i) => i.key))
  })

  it('keeps the detail when an update gives none', () => {
    const store = newStore()
    store.create(job('j1', ['a']))
    store.write('j1', [{ key: 'a', state: 'running', detail: { step: 'ownership' } }])
    store.write('j1', [{ key: 'a', state: 'done' }])
    expect(store.itemsBySeq('j1', 0, 1)[0]).toMatchObject({
      state: 'done',
      detail: { step: 'ownership' },
    })
  })

  it('marks what was running or queued interrupted, and lists newest first', () => {
    const store = newStore()
    store.create(job('0001', ['a']))
    store.create(job('0002', ['a']))
    store.create(job('0003', ['a']))
    store.setState('0001', 'running')
    store.setState('0003', 'done')
    expect(store.markInterrupted()).toBe(2)
    const { items, total } = store.list(10, 0)
    expect(total).toBe(3)
    expect(items.map((j) => [j.id, j.state])).toEqual([
      ['0003', 'done'],
      ['0002', 'interrupted'],
      ['0001', 'interrupted'],
    ])
  })
})

describe('jobReportCsv', () => {
  it('writes key, state, message, then each detail key as a column (RFC 4180)', () => {
    const store = newStore()
    store.create(job('j1', ['d1', 'd2', 'd3']))
    store.write('j1', [
      { key: 'd1', state: 'done', detail: { status: 'DONE', steps: { acl: 'ok' } } },
      { key: 'd2', state: 'failed', message: 'refused, "owner" differs\nsee the hub', detail: {} },
      { key: 'd3', state: 'timeout', detail: { status: '=HYPERLINK("x")', attempts: 3 } },
    ])
    const { csv, rows } = jobReportCsv(store, 'j1')
    expect(rows).toBe(3)
    expect(csv.split('\r\n')[0]).toBe('key,state,message,attempts,status,steps')
    expect(parse(csv)).toEqual([
      ['key', 'state', 'message', 'attempts', 'status', 'steps'],
      ['d1', 'done', '', '', 'DONE', '{"acl":"ok"}'],
      ['d2', 'failed', 'refused, "owner" differs\nsee the hub', '', '', ''],
      // A cell a spreadsheet would run as a formula is defused.
      ['d3', 'timeout', '', '3', '\'=HYPERLINK("x")', ''],
    ])
  })

  it('pages through a large job', () => {
    const store = newStore()
    store.create(job('j1', devices(1200)))
    const { csv, rows } = jobReportCsv(store, 'j1')
    expect(rows).toBe(1200)
    expect((parse(csv) as string[][]).at(-1)).toEqual(['d1200', 'pending', ''])
  })
})

describe('JobStore.purgeStopped', () => {
  it('forgets stopped jobs older than the cut-off with their items, never a running one', () => {
    const store = newStore()
    store.create(job('old-done', ['a', 'b']))
    store.create(job('old-running', ['a']))
    store.create(job('new-done', ['a']))
    store.setState('old-done', 'done')
    store.setState('old-running', 'running')
    store.setState('new-done', 'done')
    db!.prepare("UPDATE jobs SET updated_at = 100 WHERE id LIKE 'old-%'").run()
    expect(store.purgeStopped(1000)).toBe(1)
    expect(store.find('old-done')).toBeUndefined()
    expect(
      db!.prepare("SELECT count(*) AS n FROM job_items WHERE job_id = 'old-done'").get(),
    ).toEqual({ n: 0 })
    expect(store.find('old-running')).toBeDefined()
    expect(store.find('new-done')).toBeDefined()
  })
})
