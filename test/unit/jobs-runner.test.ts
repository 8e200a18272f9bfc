// @vitest-environment node
import type Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  abortable,
  devices,
  fakeHandler,
  recordsDb,
  runnerOn,
  sleep,
  until,
} from './jobs-helpers.js'

let db: Database.Database
beforeEach(() => {
  db = recordsDb()
})
afterEach(() => {
  db.close()
})

const isFinal = (s: string): boolean => ['done', 'failed', 'cancelled', 'interrupted'].includes(s)

describe('JobRunner', () => {
  it('never has more items in flight than the job allows, and finishes every one', async () => {
    const { runner, store } = runnerOn(db)
    let inFlight = 0
    let max = 0
    const handler = fakeHandler(async (key) => {
      inFlight++
      max = Math.max(max, inFlight)
      await sleep(1 + (key.charCodeAt(key.length - 1) % 4))
      inFlight--
      return { state: 'done', detail: { status: 'DONE' } }
    })
    runner.register(handler)
    const { jobId } = runner.start('configs.apply', 'lab', { devices: devices(300) }, 7)
    const view = await until(runner, jobId, (v) => isFinal(v.state))
    expect(max).toBe(7)
    expect(view.state).toBe('done')
    expect(view.counts).toMatchObject({ total: 300, done: 300, pending: 0, running: 0 })
    expect(view.concurrency).toBe(7)
    expect(handler.worked).toHaveLength(300)
    expect(new Set(handler.worked).size).toBe(300)
    expect(store.itemsBySeq(jobId, 0, 1)[0]).toMatchObject({
      key: 'd0001',
      detail: { status: 'DONE' },
    })
  })

  it('takes the default limit from the setting when the job sets none', async () => {
    const { runner } = runnerOn(db, { concurrency: 3 })
    runner.register(fakeHandler(() => Promise.resolve({ state: 'done' })))
    const { jobId } = runner.start('configs.apply', 'lab', { devices: devices(5) })
    expect((await until(runner, jobId, (v) => v.state === 'done')).concurrency).toBe(3)
  })

  it('reads the items from the store a page at a time, not all at once', async () => {
    const { runner, store } = runnerOn(db)
    const limits: number[] = []
    const page = store.pendingPage.bind(store)
    store.pendingPage = (id, after, limit) => {
      limits.push(limit)
      return page(id, after, limit)
    }
    runner.register(fakeHandler(() => Promise.resolve({ state: 'done' })))
    const { jobId } = runner.start('configs.apply', 'lab', { devices: devices(1000) }, 16)
    await until(runner, jobId, (v) => v.state === 'done')
    expect(Math.max(...limits)).toBeLessThanOrEqual(128)
    expect(limits.length).toBeGreaterThanOrEqual(8)
  })

  it('cancels mid-run: in-flight work is aborted, items not final become cancelled', async () => {
    const { runner } = runnerOn(db)
    let aborted = 0
    runner.register(
      fakeHandler(async (_key, signal) => {
        let finished = false
        signal.addEventListener('abort', () => {
          if (!finished) aborted++
        })
        await abortable(20, signal)
        finished = true
        return { state: 'done' }
      }),
    )
    const { jobId } = runner.start('configs.apply', 'lab', { devices: devices(40) }, 4)
    await until(runner, jobId, (v) => v.counts.done >= 8)
    const view = await runner.cancel(jobId)
    expect(view.state).toBe('cancelled')
    expect(aborted).toBe(4)
    expect(view.counts.done).toBeGreaterThanOrEqual(8)
    expect(view.counts.done).toBeLessThan(40)
    expect(view.counts.cancelled).toBe(40 - view.counts.done)
    expect(view.counts.pending + view.counts.running).toBe(0)
    await expect(runner.cancel(jobId)).rejects.toThrow('nothing to cancel')
  })

  it('resumes after a restart: only the items not final run again', async () => {
    const first = runnerOn(db)
    first.runner.register(
      fakeHandler(async (_key, signal) => {
        await abortable(10, signal)
        return { state: 'done' }
      }),
    )
    const { jobId } = first.runner.start('configs.apply', 'lab', { devices: devices(60) }, 3)
    await until(first.runner, jobId, (v) => v.counts.done >= 10)
    // The app closes while the job runs: it is left interrupted, its finished items kept.
    await first.runner.stop()
    const stopped = first.runner.view(jobId)
    expect(stopped.state).toBe('interrupted')
    const doneBefore = stopped.counts.done
    expect(doneBefore).toBeLessThan(60)

    // A process killed outright leaves `running`: the next open marks it interrupted.
    db.prepare("UPDATE jobs SET state = 'running' WHERE id = ?").run(jobId)
    const second = runnerOn(db)
    expect(second.runner.view(jobId).state).toBe('interrupted')
    const handler = fakeHandler(() => Promise.resolve({ state: 'done' }))
    second.runner.register(handler)
    expect(second.runner.resume(jobId).state).toMatch(/queued|running/)
    const view = await until(second.runner, jobId, (v) => v.state === 'done')
    expect(view.counts.done).toBe(60)
    expect(handler.worked).toHaveLength(60 - doneBefore)
    expect(() => second.runner.resume(jobId)).toThrow('nothing to resume')
  })

  it('resumes a cancelled job: cancel works as a pause', async () => {
    const { runner } = runnerOn(db)
    runner.register(
      fakeHandler(async (_key, signal) => {
        await abortable(5, signal)
        return { state: 'done' }
      }),
    )
    const { jobId } = runner.start('configs.apply', 'lab', { devices: devices(30) }, 2)
    await until(runner, jobId, (v) => v.counts.done >= 4)
    await runner.cancel(jobId)
    runner.resume(jobId)
    const view = await until(runner, jobId, (v) => v.state === 'done')
    expect(view.counts).toMatchObject({ done: 30, cancelled: 0 })
  })

  it('fails an item whose work throws with its message, and goes on with the others', async () => {
    const { runner, store } = runnerOn(db)
    runner.register(
      fakeHandler((key) =>
        key === 'd0002'
          ? Promise.reject(new Error('the hub refused: 403 owner mismatch'))
          : Promise.resolve({ state: 'done' }),
      ),
    )
    const { jobId } = runner.start('configs.apply', 'lab', { devices: devices(3) })
    const view = await until(runner, jobId, (v) => v.state === 'done')
    expect(view.counts).toMatchObject({ done: 2, failed: 1 })
    expect(store.itemsBySeq(jobId, 1, 1)[0]).toMatchObject({
      key: 'd0002',
      state: 'failed',
      message: 'the hub refused: 403 owner mismatch',
    })
  })

  it('fails the job with the message of a handler that throws', async () => {
    const { runner, events } = runnerOn(db)
    runner.register({
      kind: 'dps.watch',
      title: () => 'watch',
      initialItems: () => ['a'],
      run: () => Promise.reject(new Error('DPS at https://dps.lab:443 did not answer in 10 s')),
    })
    const { jobId } = runner.start('dps.watch', 'lab', {})
    const view = await until(runner, jobId, (v) => isFinal(v.state))
    expect(view).toMatchObject({
      state: 'failed',
      error: 'DPS at https://dps.lab:443 did not answer in 10 s',
    })
    expect(events.at(-1)).toMatchObject({ id: jobId, state: 'failed' })
  })

  it('throttles progress events to about four a second, plus one per state change', async () => {
    const { runner, events } = runnerOn(db, { eventIntervalMs: 250 })
    runner.register(
      fakeHandler(async () => {
        await sleep(2)
        return { state: 'done' }
      }),
    )
    const started = Date.now()
    const { jobId } = runner.start('configs.apply', 'lab', { devices: devices(300) }, 2)
    await until(runner, jobId, (v) => v.state === 'done')
    await sleep(300)
    const seconds = (Date.now() - started) / 1000
    const mine = events.filter((e) => e.id === jobId)
    // running and done are sent at once; progress at most every 250 ms in between.
    expect(mine.length).toBeLessThanOrEqual(Math.ceil(seconds * 4) + 3)
    expect(mine.length).toBeGreaterThanOrEqual(2)
    expect(mine[0]!.state).toBe('running')
    expect(mine.at(-1)).toMatchObject({ state: 'done', counts: { done: 300, total: 300 } })
  })

  it('stores items a listing appends while it runs, once per key', async () => {
    const { runner, store } = runnerOn(db)
    runner.register({
      kind: 'devices.list',
      title: () => 'list',
      initialItems: () => [],
      run: async (ctx) => {
        ctx.append([{ key: 'a', outcome: { state: 'done', detail: { name: 'A' } } }])
        await sleep(1)
        ctx.append([
          { key: 'b', outcome: { state: 'done', detail: { name: 'B' } } },
          { key: 'a', outcome: { state: 'done', detail: { name: 'A2' } } },
        ])
      },
    })
    const { jobId } = runner.start('devices.list', 'lab', {})
    const view = await until(runner, jobId, (v) => v.state === 'done')
    expect(view.counts.total).toBe(2)
    expect(store.itemsBySeq(jobId, 0, 10).map((i) => [i.key, i.detail.name])).toEqual([
      ['a', 'A2'],
      ['b', 'B'],
    ])
  })

  it('refuses a kind no handler is registered for, and an unknown job', () => {
    const { runner } = runnerOn(db)
    expect(() => runner.start('dps.watch', 'lab', {})).toThrow(
      'no handler for jobs of kind dps.watch',
    )
    expect(() => runner.view('nope')).toThrow('no job nope')
  })
})

describe('JobRunner.stop', () => {
  it('does not wait for ever on a handler that ignores its signal, and writes nothing after', async () => {
    const { runner } = runnerOn(db)
    let release: () => void = () => undefined
    runner.register(
      fakeHandler(() => new Promise((resolve) => (release = () => resolve({ state: 'done' })))),
    )
    const { jobId } = runner.start('configs.apply', 'lab', { devices: devices(3) }, 1)
    await sleep(5)
    await runner.stop(50)
    expect(runner.view(jobId).state).toBe('interrupted')
    db.close()
    // The handler finishes after the database closed: nothing is written, nothing throws.
    release()
    await sleep(20)
    db = recordsDb()
  })
})
