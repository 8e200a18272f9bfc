import type { ItemOutcome, JobContext } from '../../electron/jobs/job-handler.js'
import type { ClientAppContext } from '../../electron/local/client-app-context.js'
import type { PlgdClient, PlgdRequest } from '../../electron/plgd/plgd-client.js'

/** Shared by local-onboard*.test.ts and local-point-at-dps*.test.ts: fakes of the seams. */

export const APP_URL = 'http://127.0.0.1:8080'

export interface AppCall {
  method: string
  path: string
  body: unknown
}

/** An error as the plgd client reports an HTTP answer: its status and plgd's words. */
export function httpError(status: number, detail: string): Error {
  return Object.assign(new Error(`client-application: ${detail}`), { status, detail })
}

/**
 * client-application in memory: devices with an ownership status, and per device the values
 * its /plgd/dps and cloud configuration resources show, one per read (the last one stays).
 */
export class FakeClientApp {
  readonly devices = new Map<string, string>()
  readonly dpsConf = new Map<string, Record<string, unknown>[]>()
  readonly cloudConf = new Map<string, Record<string, unknown>[]>()
  readonly calls: AppCall[] = []
  fail: ((method: string, path: string) => Error | undefined) | undefined

  own(...ids: string[]): this {
    for (const id of ids) this.devices.set(id, 'OWNED')
    return this
  }

  client(): PlgdClient {
    return {
      baseUrl: APP_URL,
      json: async <T>(method: string, path: string, request?: PlgdRequest): Promise<T> => {
        this.calls.push({ method, path, body: request?.body })
        await Promise.resolve()
        const err = this.fail?.(method, path)
        if (err) throw err
        const [, , , , rawId, ...rest] = path.split('/')
        const id = decodeURIComponent(rawId ?? '')
        const ownership = this.devices.get(id)
        if (ownership === undefined) throw httpError(404, `device ${id} not found`)
        const tail = rest.join('/')
        if (tail === '' && method === 'GET') return { id, ownershipStatus: ownership } as T
        if (tail === 'resources/plgd/dps') {
          if (method === 'PUT') return { data: { content: request?.body } } as T
          return { data: { content: next(this.dpsConf, id) } } as T
        }
        if (tail === 'resources/CoapCloudConfResURI') {
          return { data: { content: next(this.cloudConf, id) } } as T
        }
        if (tail === 'onboard' && method === 'POST') return {} as T
        throw new Error(`unexpected ${method} ${path}`)
      },
      stream: () => {
        throw new Error('no stream expected')
      },
    }
  }

  context(owner: string | null = 'owner-1'): ClientAppContext {
    return {
      url: APP_URL,
      record: null,
      client: this.client(),
      owner: async () => owner,
      status: () => Promise.reject(new Error('not used')),
    }
  }

  count(method: string, suffix: string): number {
    return this.calls.filter((c) => c.method === method && c.path.endsWith(suffix)).length
  }
}

function next(
  map: Map<string, Record<string, unknown>[]>,
  id: string,
): Record<string, unknown> | null {
  const list = map.get(id)
  if (!list || list.length === 0) return null
  return list.length > 1 ? list.shift()! : list[0]!
}

/** The runner's side of the seam: every item at once; a cancelled item is `cancelled`. */
export function fakeJob<I extends { deviceIds: string[] }>(
  input: I,
  hub = 'lab',
  signal = new AbortController().signal,
) {
  const outcomes = new Map<string, ItemOutcome | { state: 'cancelled' }>()
  const updates: [string, ItemOutcome][] = []
  const ctx: JobContext<I> = {
    id: 'job-1',
    hub,
    input,
    signal,
    concurrency: 64,
    async forEachPending(work) {
      await Promise.all(
        [...new Set(input.deviceIds)].map(async (key) => {
          try {
            outcomes.set(key, await work(key, signal))
          } catch (err) {
            if (signal.aborted) outcomes.set(key, { state: 'cancelled' })
            else outcomes.set(key, { state: 'failed', message: (err as Error).message })
          }
        }),
      )
    },
    update: (key, outcome) => updates.push([key, outcome]),
    append: () => undefined,
  }
  return { ctx, outcomes, updates }
}

/** A detail's fields, for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test data of any shape
export const detailOf = (outcome: unknown): any => (outcome as { detail?: unknown }).detail
