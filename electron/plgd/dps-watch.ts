import type { ParsedInput, ProvisioningStepView } from '../../shared/contract/index.js'
import type { ItemOutcome, JobContext, JobHandler } from '../jobs/job-handler.js'
import { httpStatusOf } from './device-failures.js'
import { explainStepFailure, explainTimeout } from './dps-failures.js'
import { provisioningSteps, type WireProvisioningRecord } from './dps-provisioning.js'
import { CachedBearer, type MintedBearer } from './hub-bearer.js'
import type { HubDirectory } from './hub-context.js'
import type { PlgdClient } from './plgd-client.js'

export type DpsWatch = ParsedInput<'dps.watch'>

export const PROVISIONING_RECORDS_PATH = '/api/v1/provisioning-records'
/** Device ids per request: the query string stays well under proxies' URL limits. */
export const WATCH_BATCH = 100
/** How many devices one watch follows at once (one request per 100 of them per poll). */
export const WATCH_CONCURRENCY = 1000

export interface DpsWatchDeps {
  hubs: HubDirectory
  /** A short-lived bearer of the DPS client (the group owner's), in the ledger. */
  mintBearer(clientId: string, hub: string): Promise<MintedBearer>
  /** The owner of one of our clients, for messages; null when unknown. */
  clientOwner(clientId: string): string | null
  issuer(): string
  /** Between polls (1.5 s by default). */
  pollMs?: number
  nowMs?: () => number
}

interface Waiter {
  since: number
  seen: boolean
  last: string
  resolve(outcome: ItemOutcome): void
  reject(err: unknown): void
}

/**
 * `dps.watch`: polls DPS's provisioning records of the job's devices, 100 ids per request, and
 * reports each device's steps. A device is done when every step is, failed with a cause and
 * fix when a step fails, timed out when still pending after `timeoutSeconds`.
 */
export function dpsWatchHandler(deps: DpsWatchDeps): JobHandler<DpsWatch> {
  return {
    kind: 'dps.watch',
    title: (input) => `watch DPS provisioning of ${input.deviceIds.length} device(s)`,
    initialItems: (input) => [...new Set(input.deviceIds)],
    run: (ctx) => new Watch(deps, ctx).run(),
  }
}

class Watch {
  readonly #waiting = new Map<string, Waiter>()
  readonly #dps: PlgdClient
  readonly #owner: string
  #polling = false

  constructor(
    private readonly deps: DpsWatchDeps,
    private readonly ctx: JobContext<DpsWatch>,
  ) {
    const hub = deps.hubs.open(ctx.hub)
    const clientId = ctx.input.clientId
    this.#owner = clientId ? (deps.clientOwner(clientId) ?? hub.owner) : hub.owner
    const now = deps.nowMs ?? Date.now
    // One bearer until shortly before it expires, not one per poll: each is a ledger row.
    const bearer = new CachedBearer(
      () => deps.mintBearer(clientId!, ctx.hub),
      () => Math.floor(now() / 1000),
    )
    this.#dps = clientId ? hub.client('dps', () => bearer.get()) : hub.client('dps')
  }

  run(): Promise<void> {
    return this.ctx.forEachPending(
      (key) =>
        new Promise<ItemOutcome>((resolve, reject) => {
          const now = (this.deps.nowMs ?? Date.now)()
          this.#waiting.set(key, { since: now, seen: false, last: '', resolve, reject })
          this.#startPolling()
        }),
    )
  }

  #startPolling(): void {
    if (this.#polling) return
    this.#polling = true
    // Let the workers register their devices before the first request.
    setImmediate(() => {
      this.#loop()
        .catch((err: unknown) => this.#failAll(err))
        .finally(() => {
          this.#polling = false
          if (this.#waiting.size > 0 && !this.ctx.signal.aborted) this.#startPolling()
        })
    })
  }

  async #loop(): Promise<void> {
    const { signal } = this.ctx
    while (this.#waiting.size > 0) {
      if (signal.aborted) throw new Error('cancelled')
      const keys = [...this.#waiting.keys()]
      for (let i = 0; i < keys.length; i += WATCH_BATCH) {
        const batch = keys.slice(i, i + WATCH_BATCH)
        const records = await this.#read(batch)
        for (const key of batch) this.#settle(key, records.get(key))
      }
      if (this.#waiting.size > 0) await sleep(this.deps.pollMs ?? 1500, signal)
    }
  }

  async #read(deviceIds: string[]): Promise<Map<string, WireProvisioningRecord>> {
    const out = new Map<string, WireProvisioningRecord>()
    const records = this.#dps.stream<WireProvisioningRecord>(PROVISIONING_RECORDS_PATH, {
      query: { deviceIdFilter: deviceIds },
      signal: this.ctx.signal,
    })
    try {
      for await (const r of records) if (r.deviceId) out.set(r.deviceId, r)
    } catch (err) {
      // A refused bearer or a missing DPS will not heal by waiting: stop with the reason.
      const status = httpStatusOf(err)
      if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429)
        throw err
      // A network hiccup: the next poll tries again; a device still pending times out.
    }
    return out
  }

  #settle(key: string, record: WireProvisioningRecord | undefined): void {
    const waiter = this.#waiting.get(key)
    if (!waiter) return
    const steps = provisioningSteps(record)
    const detail = {
      steps,
      enrollmentGroupId: record?.enrollmentGroupId ?? null,
      recordId: record?.id ?? null,
    }
    waiter.seen ||= record !== undefined
    const failed = steps.find((s) => s.state === 'failed')
    if (failed)
      return this.#finish(key, {
        state: 'failed',
        detail,
        message: this.#explain(key, failed, record),
      })
    if (steps.every((s) => s.state === 'done')) return this.#finish(key, { state: 'done', detail })
    const elapsed = (this.deps.nowMs ?? Date.now)() - waiter.since
    const seconds = this.ctx.input.timeoutSeconds
    if (elapsed >= seconds * 1000) {
      const message = explainTimeout({
        deviceId: key,
        hub: this.ctx.hub,
        seconds,
        seen: waiter.seen,
        owner: this.#owner,
      })
      return this.#finish(key, { state: 'timeout', detail, message })
    }
    const snapshot = JSON.stringify(steps)
    if (snapshot !== waiter.last) {
      waiter.last = snapshot
      this.ctx.update(key, { state: 'running', detail })
    }
  }

  #explain(
    key: string,
    failed: ProvisioningStepView,
    record: WireProvisioningRecord | undefined,
  ): string {
    const clientId = this.ctx.input.clientId ?? null
    return explainStepFailure(
      {
        deviceId: key,
        step: failed.step,
        groupOwner: record?.owner ?? null,
        clientId,
        issuer: this.deps.issuer(),
        hub: this.ctx.hub,
      },
      failed.message ?? `CoAP code ${failed.coapCode}`,
    )
  }

  #finish(key: string, outcome: ItemOutcome): void {
    const waiter = this.#waiting.get(key)
    this.#waiting.delete(key)
    waiter?.resolve(outcome)
  }

  #failAll(err: unknown): void {
    for (const [key, w] of this.#waiting) {
      this.#waiting.delete(key)
      w.reject(err)
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
