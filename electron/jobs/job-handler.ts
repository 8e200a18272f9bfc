import type { JobItemState, JobKind } from '../../shared/contract/index.js'

/**
 * The seam between the job runner (jobs/) and the domains whose long work it runs (plgd/). A
 * domain registers one handler per kind; the runner owns the rows, the concurrency limit, the
 * events, cancel and resume. Handlers keep no state of their own between calls: everything
 * they need to go on after a restart is in the job's input and its items.
 */
export interface ItemOutcome {
  state: Extract<JobItemState, 'done' | 'failed' | 'timeout' | 'running' | 'pending'>
  detail?: Record<string, unknown>
  /** A failure's cause and fix, in words. */
  message?: string | null
}

export interface JobContext<Input> {
  readonly id: string
  readonly hub: string
  readonly input: Input
  /** Aborted on cancel and on shutdown; every request the handler makes takes it. */
  readonly signal: AbortSignal
  readonly concurrency: number
  /**
   * Runs `work` for every item not yet final (all of them on a first run, the rest on resume),
   * at most `concurrency` at once, writing each outcome as it comes. An item whose work throws
   * is failed with the error's message.
   */
  forEachPending(work: (key: string, signal: AbortSignal) => Promise<ItemOutcome>): Promise<void>
  /** Records an intermediate state of an item (a provisioning step done, say). */
  update(key: string, outcome: ItemOutcome): void
  /** Adds items while running (a listing): each is stored as it arrives, never held in memory. */
  append(items: { key: string; outcome: ItemOutcome }[]): void
}

export interface JobHandler<Input = unknown> {
  readonly kind: JobKind
  /** A short human title for the job row ("apply light-42 to 250 devices"). */
  title(input: Input): string
  /** The items known at the start (device ids); empty for a listing that appends its own. */
  initialItems(input: Input): string[]
  run(ctx: JobContext<Input>): Promise<void>
}

/** What the plgd domain sees of the runner: start a job of a registered kind. */
export interface JobStarter {
  start<Input>(kind: JobKind, hub: string, input: Input, concurrency?: number): { jobId: string }
}
