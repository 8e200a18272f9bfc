import type { ItemWrite, JobStore } from './job-store.js'

/** Above this many buffered changes a flush happens at once rather than on the next turn. */
const MAX_BUFFERED = 256

/**
 * Buffers a running job's item changes and writes them in one transaction per event-loop turn
 * (or every MAX_BUFFERED changes): thousands of devices answering at once cost a few commits,
 * not one each. Changes to the same item within a batch collapse into the last (keeping the
 * last detail given), so the buffer never outgrows MAX_BUFFERED items.
 */
export class ItemWriter {
  #updates = new Map<string, ItemWrite>()
  #appends = new Map<string, ItemWrite>()
  #scheduled: NodeJS.Immediate | undefined
  #closed = false

  constructor(
    private readonly jobId: string,
    private readonly store: JobStore,
    /** Called after each commit, with what it wrote. */
    private readonly onFlushed: () => void,
  ) {}

  update(change: ItemWrite): void {
    const pendingAppend = this.#appends.get(change.key)
    if (pendingAppend) {
      this.#appends.set(change.key, merge(pendingAppend, change))
    } else {
      const earlier = this.#updates.get(change.key)
      this.#updates.set(change.key, earlier ? merge(earlier, change) : change)
    }
    this.#schedule()
  }

  append(change: ItemWrite): void {
    this.#appends.set(change.key, change)
    this.#schedule()
  }

  /** Writes what is buffered now (the runner calls it before a state change). */
  get closed(): boolean {
    return this.#closed
  }

  /** Writes what is buffered, then drops every later change (the database is closing). */
  close(): void {
    this.flush()
    this.#closed = true
  }

  flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled)
    this.#scheduled = undefined
    if (this.#closed || (this.#updates.size === 0 && this.#appends.size === 0)) return
    const appends = this.#appends
    const updates = this.#updates
    this.#appends = new Map()
    this.#updates = new Map()
    // Appends first: an update in the same batch may be for an item just listed.
    if (appends.size > 0) this.store.append(this.jobId, appends.values())
    if (updates.size > 0) this.store.write(this.jobId, updates.values())
    this.onFlushed()
  }

  #schedule(): void {
    if (this.#updates.size + this.#appends.size >= MAX_BUFFERED) return this.flush()
    this.#scheduled ??= setImmediate(() => this.flush())
  }
}

function merge(earlier: ItemWrite, later: ItemWrite): ItemWrite {
  return { ...later, detail: later.detail ?? earlier.detail }
}
