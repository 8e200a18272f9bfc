import { describe, expect, it } from 'vitest'
import type { HubView } from '../../shared/contract/index.js'
import { configsApplyHandler, type ApplyInput } from '../../electron/plgd/configs-apply.js'
import type { HubContext, HubDirectory } from '../../electron/plgd/hub-context.js'
import type { ItemOutcome, JobContext } from '../../electron/jobs/job-handler.js'
import type { PlgdClient, PlgdRequest } from '../../electron/plgd/plgd-client.js'

/** A runner in miniature: every item once, at most `concurrency` at once, outcomes kept. */
function fakeJob<I>(input: I, keys: string[], concurrency: number) {
  const outcomes = new Map<string, ItemOutcome>()
  const updates: { key: string; outcome: ItemOutcome }[] = []
  const abort = new AbortController()
  const ctx: JobContext<I> = {
    id: 'job1',
    hub: 'lab',
    input,
    signal: abort.signal,
    concurrency,
    async forEachPending(work) {
      const queue = [...keys]
      const worker = async () => {
        for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
          try {
            outcomes.set(key, await work(key, abort.signal))
          } catch (err) {
            outcomes.set(key, { state: 'failed', message: (err as Error).message })
          }
        }
      }
      await Promise.all(Array.from({ length: concurrency }, worker))
    },
    update: (key, outcome) => updates.push({ key, outcome }),
    append: () => {},
  }
  return { ctx, outcomes, updates, abort }
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`${detail}. Fix: generic`)
  }
}

/** snippet-service in miniature: applied configurations advance one status per read. */
function fakeSnippets(behaviour: (deviceId: string) => 'ok' | 'timeout' | 'stuck' | 404 | 403) {
  let inFlight = 0
  let maxInFlight = 0
  const reads = new Map<string, number>()
  const track = async <T>(fn: () => T): Promise<T> => {
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    await new Promise((r) => setTimeout(r, 1))
    try {
      return fn()
    } finally {
      inFlight--
    }
  }
  const client: PlgdClient = {
    baseUrl: 'https://api.hub',
    json: <T>(method: string, path: string, request?: PlgdRequest) =>
      track(() => {
        expect(method).toBe('POST')
        expect(path).toBe(
          '/snippet-service/api/v1/configurations/0b8f3c9e-4e1a-4c4e-9a53-8d1f0f1f2a3b',
        )
        const { deviceId, force } = request?.body as { deviceId: string; force: boolean }
        expect(force).toBe(true)
        const b = behaviour(deviceId)
        if (b === 404 || b === 403) throw new HttpFailure(b, `refused ${deviceId}`)
        return { appliedConfigurationId: `applied-${deviceId}` } as T
      }),
    async *stream<T>(path: string, request?: PlgdRequest): AsyncIterable<T> {
      expect(path).toBe('/snippet-service/api/v1/configurations/applied')
      const id = request?.query?.idFilter as string
      const deviceId = id.replace('applied-', '')
      const n = (reads.get(id) ?? 0) + 1
      reads.set(id, n)
      const b = behaviour(deviceId)
      const status =
        b === 'stuck'
          ? 'PENDING'
          : n === 1
            ? 'QUEUED'
            : n === 2
              ? 'PENDING'
              : b === 'ok'
                ? 'DONE'
                : 'TIMEOUT'
      yield await track(
        () =>
          ({
            id,
            deviceId,
            resources: [
              { href: '/light/1', status: 'DONE' },
              { href: '/light/2', status },
            ],
          }) as T,
      )
    },
  }
  return { client, maxInFlight: () => maxInFlight }
}

function directory(client: PlgdClient): HubDirectory {
  const hub: HubContext = {
    profile: { name: 'lab' } as HubView,
    owner: 'alice',
    bearer: () => Promise.resolve('t'),
    client: () => client,
  }
  return { open: () => hub }
}

const input = (deviceIds: string[], timeoutSeconds = 300): ApplyInput => ({
  hub: 'lab',
  configId: '0b8f3c9e-4e1a-4c4e-9a53-8d1f0f1f2a3b',
  deviceIds,
  force: true,
  timeoutSeconds,
})

describe('configs.apply handler', () => {
  it('reports every device and never has more requests in flight than the concurrency', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `d${i}`)
    const hub = fakeSnippets(() => 'ok')
    const handler = configsApplyHandler(directory(hub.client), { pollIntervalMs: 1 })
    const job = fakeJob(input(ids), handler.initialItems(input(ids)), 4)
    await handler.run(job.ctx)
    expect(job.outcomes.size).toBe(60)
    expect([...job.outcomes.values()].every((o) => o.state === 'done')).toBe(true)
    expect(hub.maxInFlight()).toBeLessThanOrEqual(4)
    expect(hub.maxInFlight()).toBeGreaterThan(1)
    expect(job.outcomes.get('d0')?.detail).toEqual({
      appliedConfigurationId: 'applied-d0',
      resources: [
        { href: '/light/1', status: 'DONE' },
        { href: '/light/2', status: 'DONE' },
      ],
    })
    // Intermediate states are written as they change: QUEUED, then PENDING.
    expect(
      job.updates.filter((u) => u.key === 'd0').map((u) => u.outcome.detail?.resources),
    ).toEqual([
      [
        { href: '/light/1', status: 'DONE' },
        { href: '/light/2', status: 'QUEUED' },
      ],
      [
        { href: '/light/1', status: 'DONE' },
        { href: '/light/2', status: 'PENDING' },
      ],
    ])
  })

  it('names the cause and the fix of a failed, a timed-out and a stuck device', async () => {
    const hub = fakeSnippets((id) =>
      id === 'gone' ? 404 : id === 'theirs' ? 403 : id === 'slow' ? 'timeout' : 'stuck',
    )
    let now = 0
    const handler = configsApplyHandler(directory(hub.client), {
      pollIntervalMs: 1,
      nowMs: () => (now += 100),
    })
    const ids = ['gone', 'theirs', 'slow', 'stuck']
    const job = fakeJob(input(ids, 5), ids, 2)
    await handler.run(job.ctx)
    const gone = job.outcomes.get('gone')
    expect(gone?.state).toBe('failed')
    expect(gone?.message).toMatch(/does not know device gone .*devices list --hub lab/)
    expect(job.outcomes.get('theirs')?.message).toMatch(/not owned by alice.*hubs update/)
    expect(job.outcomes.get('slow')).toMatchObject({ state: 'timeout' })
    expect(job.outcomes.get('slow')?.message).toMatch(/did not take \/light\/2 .*--ttl/)
    expect(job.outcomes.get('stuck')).toMatchObject({ state: 'timeout' })
    expect(job.outcomes.get('stuck')?.message).toMatch(/still pending after 5 s.*--timeout/)
  })

  it('stops polling when the job is cancelled', async () => {
    const hub = fakeSnippets(() => 'stuck')
    const handler = configsApplyHandler(directory(hub.client), { pollIntervalMs: 50 })
    const job = fakeJob(input(['a']), ['a'], 1)
    setTimeout(() => job.abort.abort(new Error('cancelled')), 20)
    await handler.run(job.ctx)
    expect(job.outcomes.get('a')).toMatchObject({ state: 'failed', message: 'cancelled' })
  })
})
