import { v7 as uuidv7 } from 'uuid'
import type { JobItemsPage, JobKind, JobView } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import type { Logger } from '../platform/logger.js'
import { ChangeThrottle } from './change-throttle.js'
import { ItemWriter } from './item-writer.js'
import { jobReportCsv } from './job-report.js'
import type { ItemOutcome, JobContext, JobHandler, JobStarter } from './job-handler.js'
import type { JobStore } from './job-store.js'

/** Items read from the store at a time by forEachPending: memory is this, not the job's size. */
const PAGE = 128
/** How long a stopped job stays, for its report and a resume: 30 days. */
export const JOB_RETENTION_SECONDS = 30 * 24 * 3600

export interface JobRunnerOptions {
  store: JobStore
  log: Logger
  /** Tells the UI (app.events `job.changed`). */
  emit(view: JobView): void
  /** The limit when a job is started without one (setting `jobs.concurrency`). */
  defaultConcurrency(): number
  /** Milliseconds between two progress events of one job (state changes are sent at once). */
  eventIntervalMs?: number
}

interface Running {
  controller: AbortController
  writer: ItemWriter
  throttle: ChangeThrottle
  done: Promise<void>
}

/**
 * Runs registered JobHandlers over the job store: the rows, the limit of requests in flight,
 * throttled progress events, cancel, and resume of what a stopped app left unfinished.
 */
export class JobRunner implements JobStarter {
  readonly #handlers = new Map<JobKind, JobHandler<never>>()
  readonly #running = new Map<string, Running>()
  readonly #o: JobRunnerOptions

  constructor(options: JobRunnerOptions) {
    this.#o = options
    // Whatever ran when the app last stopped did not finish: say so, and let resume go on.
    const interrupted = options.store.markInterrupted()
    if (interrupted > 0) options.log.info('jobs interrupted by the last stop', { interrupted })
  }

  register<Input>(handler: JobHandler<Input>): void {
    this.#handlers.set(handler.kind, handler as JobHandler<never>)
  }

  start<Input>(kind: JobKind, hub: string, input: Input, concurrency?: number): { jobId: string } {
    const handler = this.#handler(kind)
    const id = uuidv7()
    this.#o.store.create({
      id,
      kind,
      hub,
      title: handler.title(input as never),
      input,
      concurrency: concurrency ?? this.#o.defaultConcurrency(),
      keys: handler.initialItems(input as never),
    })
    this.#launch(id)
    return { jobId: id }
  }

  view(id: string): JobView {
    const found = this.#o.store.find(id)
    if (!found) throw new AppError('not_found', `no job ${id}; \`jobs list\` shows the jobs`)
    return found.view
  }

  list(limit: number, offset: number): { items: JobView[]; total: number } {
    return this.#o.store.list(limit, offset)
  }

  /**
   * What changed after rev `since`, oldest first. The job is read first: when it reads final
   * and a page comes back short, the caller has seen every change.
   */
  items(id: string, since: number, limit: number): JobItemsPage {
    const job = this.view(id)
    const items = this.#o.store.changedSince(id, since, limit)
    return { items, rev: items.at(-1)?.rev ?? since, job }
  }

  /** Forgets the jobs (and their rows) that stopped more than `keepSeconds` ago. */
  purge(nowSeconds: number, keepSeconds = JOB_RETENTION_SECONDS): number {
    return this.#o.store.purgeStopped(nowSeconds - keepSeconds)
  }

  report(id: string): { csv: string; rows: number } {
    this.view(id)
    return jobReportCsv(this.#o.store, id)
  }

  /** Stops a job: in-flight requests are aborted and items not final become `cancelled`. */
  async cancel(id: string): Promise<JobView> {
    const job = this.view(id)
    const running = this.#running.get(id)
    if (running) {
      running.controller.abort('cancel')
      await running.done
    } else if (job.state === 'interrupted' || job.state === 'queued') {
      this.#o.store.moveItems(id, ['pending', 'running'], 'cancelled')
      this.#o.store.setState(id, 'cancelled')
      this.#emit(id)
    } else {
      throw new AppError('conflict', `job ${id} is ${job.state}: there is nothing to cancel`)
    }
    return this.view(id)
  }

  /**
   * Runs a stopped job again, only its items not final (a cancelled job's cancelled items are
   * taken up again: cancel works as a pause).
   */
  resume(id: string): JobView {
    const job = this.view(id)
    this.#handler(job.kind)
    if (this.#running.has(id) || job.state === 'running' || job.state === 'queued') {
      throw new AppError('conflict', `job ${id} is already ${job.state}`)
    }
    if (job.state === 'done' && job.counts.pending + job.counts.running === 0) {
      throw new AppError('conflict', `job ${id} is done: every item is final, nothing to resume`)
    }
    if (job.state === 'cancelled') this.#o.store.moveItems(id, ['cancelled'], 'pending')
    this.#o.store.setState(id, 'queued')
    this.#launch(id)
    return this.view(id)
  }

  /** At close: aborts what runs, waits for it, and leaves it `interrupted` for a resume. */
  async stop(graceMs = 5000): Promise<void> {
    const all = [...this.#running.entries()]
    for (const [, r] of all) r.controller.abort('shutdown')
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, graceMs, 'late')))
    const settled = await Promise.race([Promise.all(all.map(([, r]) => r.done)), late])
    clearTimeout(timer)
    if (settled !== 'late') return
    // A handler that ignores its signal must not hold the app open, nor write after it closes.
    for (const [id, r] of all) {
      if (!this.#running.has(id)) continue
      r.writer.close()
      this.#o.store.setState(id, 'interrupted')
      this.#o.log.warn('job did not stop in time; left interrupted', { id, graceMs })
    }
  }

  #handler(kind: JobKind): JobHandler<never> {
    const handler = this.#handlers.get(kind)
    if (!handler) throw new AppError('invalid_input', `no handler for jobs of kind ${kind}`)
    return handler
  }

  #emit(id: string): void {
    const found = this.#o.store.find(id)
    if (found) this.#o.emit(found.view)
  }

  #launch(id: string): void {
    const controller = new AbortController()
    const throttle = new ChangeThrottle(() => this.#emit(id), this.#o.eventIntervalMs)
    const writer = new ItemWriter(id, this.#o.store, () => throttle.changed())
    const running: Running = { controller, writer, throttle, done: Promise.resolve() }
    this.#running.set(id, running)
    running.done = this.#run(id, running).finally(() => {
      throttle.cancel()
      this.#running.delete(id)
    })
  }

  async #run(id: string, { controller, writer, throttle }: Running): Promise<void> {
    const { store, log } = this.#o
    const found = store.find(id)
    if (!found) return
    const { view, input } = found
    const handler = this.#handler(view.kind)
    store.setState(id, 'running')
    throttle.now()
    const ctx = jobContext(id, view, input, controller.signal, writer, store)
    let error: string | null = null
    try {
      await handler.run(ctx as JobContext<never>)
    } catch (err) {
      if (!controller.signal.aborted) {
        error = (err as Error).message || String(err)
        log.warn('job failed', { id, kind: view.kind, error })
      }
    }
    // stop() gave up on this handler and the database may be closed: nothing more to write.
    if (writer.closed) return
    writer.flush()
    const reason: unknown = controller.signal.reason
    if (controller.signal.aborted && reason === 'cancel') {
      store.moveItems(id, ['pending', 'running'], 'cancelled')
      store.setState(id, 'cancelled')
    } else if (controller.signal.aborted) {
      store.setState(id, 'interrupted')
    } else {
      store.setState(id, error === null ? 'done' : 'failed', error)
    }
    throttle.now()
  }
}

function jobContext(
  id: string,
  view: JobView,
  input: unknown,
  signal: AbortSignal,
  writer: ItemWriter,
  store: JobStore,
): JobContext<unknown> {
  const write = (key: string, o: ItemOutcome): void =>
    writer.update({ key, state: o.state, detail: o.detail, message: o.message })
  return {
    id,
    hub: view.hub,
    input,
    signal,
    concurrency: view.concurrency,
    update: write,
    append: (items) => {
      for (const { key, outcome: o } of items) {
        writer.append({ key, state: o.state, detail: o.detail, message: o.message })
      }
    },
    async forEachPending(work) {
      let afterSeq = 0
      let page: { seq: number; key: string }[] = []
      // One cursor shared by the workers: the next item is read from the store when needed.
      const next = (): string | undefined => {
        if (signal.aborted) return undefined
        if (page.length === 0) {
          page = store.pendingPage(id, afterSeq, PAGE)
          const last = page.at(-1)
          if (last) afterSeq = last.seq
        }
        return page.shift()?.key
      }
      const worker = async (): Promise<void> => {
        for (let key = next(); key !== undefined && !signal.aborted; key = next()) {
          write(key, { state: 'running' })
          try {
            // Its own signal, so a handler's abort listeners go with the item, not pile up.
            write(key, await work(key, AbortSignal.any([signal])))
          } catch (err) {
            // Cancelled or stopping: the runner decides what the item becomes.
            if (signal.aborted) return
            write(key, { state: 'failed', message: (err as Error).message || String(err) })
          }
        }
      }
      const workers = Math.max(1, view.concurrency)
      await Promise.all(Array.from({ length: workers }, worker))
      if (signal.aborted) throw new Error('aborted')
    },
  }
}
