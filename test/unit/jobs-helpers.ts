import Database from 'better-sqlite3'
import type { JobView } from '../../shared/contract/index.js'
import type { JobHandler, JobContext, ItemOutcome } from '../../electron/jobs/job-handler.js'
import { JobRunner } from '../../electron/jobs/job-runner.js'
import { JobStore } from '../../electron/jobs/job-store.js'
import { applyMigrations } from '../../electron/platform/migrations.js'
import type { Logger } from '../../electron/platform/logger.js'
import { RECORDS_MIGRATIONS } from '../../electron/platform/records-schema.js'

/** Shared by the jobs-*.test.ts files: a records database in memory and a runner over it. */

export const quietLog: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
}

export function recordsDb(): Database.Database {
  const db = new Database(':memory:')
  applyMigrations(db, RECORDS_MIGRATIONS)
  return db
}

export function runnerOn(
  db: Database.Database,
  options: { concurrency?: number; eventIntervalMs?: number } = {},
): { runner: JobRunner; store: JobStore; events: JobView[] } {
  const store = new JobStore(db, () => Math.floor(Date.now() / 1000))
  const events: JobView[] = []
  const runner = new JobRunner({
    store,
    log: quietLog,
    emit: (view) => events.push(view),
    defaultConcurrency: () => options.concurrency ?? 4,
    ...(options.eventIntervalMs === undefined ? {} : { eventIntervalMs: options.eventIntervalMs }),
  })
  return { runner, store, events }
}

export interface FakeInput {
  devices: string[]
}

/** A handler whose per-item work the test gives; it records the keys it worked on. */
export function fakeHandler(
  work: (key: string, signal: AbortSignal) => Promise<ItemOutcome>,
  kind: 'configs.apply' | 'dps.watch' | 'devices.list' = 'configs.apply',
): JobHandler<FakeInput> & { worked: string[] } {
  const worked: string[] = []
  return {
    kind,
    worked,
    title: (input) => `apply to ${input.devices.length} devices`,
    initialItems: (input) => input.devices,
    run: (ctx: JobContext<FakeInput>) =>
      ctx.forEachPending((key, signal) => {
        worked.push(key)
        return work(key, signal)
      }),
  }
}

export const devices = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `d${String(i + 1).padStart(4, '0')}`)

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Resolves once the job is in one of `states`. */
export async function until(
  runner: JobRunner,
  id: string,
  test: (view: JobView) => boolean,
  timeoutMs = 5000,
): Promise<JobView> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const view = runner.view(id)
    if (test(view)) return view
    if (Date.now() > end)
      throw new Error(`job ${id} is ${view.state}: ${JSON.stringify(view.counts)}`)
    await sleep(5)
  }
}

/** Aborts with the signal's reason, like fetch does. */
export function abortable(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(new Error('aborted'))
    })
  })
}
