import { httpStatusOf } from '../plgd/device-failures.js'
import type { WireProvisioningRecord } from '../plgd/dps-provisioning.js'
import { PROVISIONING_RECORDS_PATH, WATCH_BATCH } from '../plgd/dps-watch.js'
import type { PlgdClient } from '../plgd/plgd-client.js'

/** What one poll learnt of a device at DPS. */
export type RecordRead =
  | { readable: true; record: WireProvisioningRecord | undefined }
  /** DPS refused (4xx): waiting will not heal it; `problem` says why. */
  | { readable: false; problem: string }
  /** A network hiccup: the next poll tries again. */
  | { readable: 'later' }

interface Waiting {
  id: string
  resolve(read: RecordRead): void
}

/**
 * Reads DPS provisioning records for many devices that each poll on their own: the ids asked
 * for in the same turn of the event loop go in one request per 100 (as `dps watch` batches),
 * not one request per device. Once DPS refuses the bearer, every later read says so at once.
 */
export class DpsRecordBatches {
  #queue: Waiting[] = []
  #problem: string | null = null

  constructor(
    private readonly dps: PlgdClient,
    private readonly signal: AbortSignal,
  ) {}

  /** Why DPS cannot be read, once it refused; null while it answers. */
  get problem(): string | null {
    return this.#problem
  }

  read(deviceId: string): Promise<RecordRead> {
    if (this.#problem !== null) return Promise.resolve({ readable: false, problem: this.#problem })
    return new Promise((resolve) => {
      this.#queue.push({ id: deviceId, resolve })
      if (this.#queue.length === 1) setImmediate(() => void this.#flush())
    })
  }

  async #flush(): Promise<void> {
    const queued = this.#queue
    this.#queue = []
    for (let i = 0; i < queued.length; i += WATCH_BATCH) {
      const batch = queued.slice(i, i + WATCH_BATCH)
      const read = await this.#readBatch([...new Set(batch.map((w) => w.id))])
      for (const w of batch) {
        w.resolve(read instanceof Map ? { readable: true, record: read.get(w.id) } : read)
      }
    }
  }

  async #readBatch(ids: string[]): Promise<Map<string, WireProvisioningRecord> | RecordRead> {
    if (this.#problem !== null) return { readable: false, problem: this.#problem }
    const out = new Map<string, WireProvisioningRecord>()
    try {
      for await (const r of this.dps.stream<WireProvisioningRecord>(PROVISIONING_RECORDS_PATH, {
        query: { deviceIdFilter: ids },
        signal: this.signal,
      }))
        if (r.deviceId) out.set(r.deviceId, r)
      return out
    } catch (err) {
      const status = httpStatusOf(err)
      if (
        status !== undefined &&
        status >= 400 &&
        status < 500 &&
        status !== 408 &&
        status !== 429
      ) {
        this.#problem = err instanceof Error ? err.message : String(err)
        return { readable: false, problem: this.#problem }
      }
      return { readable: 'later' }
    }
  }
}
