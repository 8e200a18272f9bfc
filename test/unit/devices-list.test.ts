import { describe, expect, it } from 'vitest'
import type { DeviceView, HubView } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import { toDeviceView } from '../../electron/plgd/device-view.js'
import { removeDevice, resourceLinks, updateResource } from '../../electron/plgd/devices.js'
import { devicesListHandler, type ListDevicesInput } from '../../electron/plgd/devices-list.js'
import type { HubContext } from '../../electron/plgd/hub-context.js'
import type { ItemOutcome, JobContext } from '../../electron/jobs/job-handler.js'
import type { PlgdClient, PlgdRequest } from '../../electron/plgd/plgd-client.js'

function hubWith(client: Partial<PlgdClient>): HubContext {
  return {
    profile: { name: 'lab' } as HubView,
    owner: 'alice',
    bearer: () => Promise.resolve('t'),
    client: () => ({ baseUrl: 'https://api.hub', ...client }) as PlgdClient,
  }
}

const wireDevice = (i: number) => ({
  id: `d${i}`,
  name: `lamp ${i}`,
  types: ['oic.wk.d'],
  endpoints: [{ uri: 'coaps+tcp://10.0.0.1:5684' }],
  ownershipStatus: 'OWNED',
  metadata: { connection: { status: i % 2 === 0 ? 'ONLINE' : 'OFFLINE' } },
})

describe('devices.list handler', () => {
  it('appends devices in batches while the stream is still open, with the filters as query', async () => {
    const appended: { key: string; outcome: ItemOutcome }[][] = []
    let query: PlgdRequest['query']
    let yielded = 0
    let appendedBeforeEnd = false
    const client: Partial<PlgdClient> = {
      async *stream<T>(path: string, request?: PlgdRequest): AsyncIterable<T> {
        expect(path).toBe('/api/v1/devices')
        query = request?.query
        for (let i = 0; i < 250; i++) {
          yielded++
          yield wireDevice(i) as T
        }
        appendedBeforeEnd = appended.length > 0
      },
    }
    const handler = devicesListHandler(
      { open: () => hubWith(client) },
      { batchSize: 100, flushAfterMs: 60_000 },
    )
    const input: ListDevicesInput = { hub: 'lab', status: 'ONLINE', types: ['oic.d.light'] }
    expect(handler.initialItems(input)).toEqual([])
    await handler.run({
      id: 'j',
      hub: 'lab',
      input,
      signal: new AbortController().signal,
      concurrency: 1,
      forEachPending: () => Promise.resolve(),
      update: () => {},
      append: (items) => appended.push(items),
    } satisfies JobContext<ListDevicesInput>)
    expect(query).toEqual({ statusFilter: 'ONLINE', typeFilter: ['oic.d.light'] })
    expect(yielded).toBe(250)
    expect(appendedBeforeEnd).toBe(true)
    expect(appended.map((b) => b.length)).toEqual([100, 100, 50])
    expect(appended[0]?.[0]).toEqual({
      key: 'd0',
      outcome: {
        state: 'done',
        detail: {
          id: 'd0',
          name: 'lamp 0',
          types: ['oic.wk.d'],
          status: 'ONLINE',
          ownershipStatus: 'OWNED',
          endpoints: ['coaps+tcp://10.0.0.1:5684'],
        } satisfies DeviceView,
      },
    })
  })

  it('reads connection statuses as names or numbers', () => {
    expect(toDeviceView({ id: 'a', metadata: { connection: { status: 2 } } }).status).toBe('ONLINE')
    expect(toDeviceView({ id: 'a', metadata: { connection: { status: 1 } } }).status).toBe(
      'OFFLINE',
    )
    expect(toDeviceView({ id: 'a' }).status).toBe('UNKNOWN')
  })
})

class HttpFailure extends AppError {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super('conflict', detail)
  }
}

describe('one-device calls', () => {
  it('PUTs the plain JSON body at the escaped href and returns the content', async () => {
    let seen: unknown[] = []
    const hub = hubWith({
      json: <T>(method: string, path: string, request?: PlgdRequest) => {
        seen = [method, path, request?.body]
        return Promise.resolve({ data: { content: { power: 42 }, status: 'OK' } } as T)
      },
    })
    const out = await updateResource(hub, {
      hub: 'lab',
      deviceId: 'd 1',
      href: '/light/1',
      content: { power: 42 },
    })
    expect(seen).toEqual(['PUT', '/api/v1/devices/d%201/resources/light/1', { power: 42 }])
    expect(out).toEqual({ content: { power: 42 } })
  })

  it('turns a 404 and a 403 into not_found and policy_violation with the fix', async () => {
    const failing = (status: number) =>
      hubWith({ json: () => Promise.reject(new HttpFailure(status, 'no such device')) })
    await expect(removeDevice(failing(404), { hub: 'lab', deviceId: 'x' })).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/hub lab does not know device x.*devices list/) as string,
    })
    await expect(
      updateResource(failing(403), { hub: 'lab', deviceId: 'x', href: '/a', content: 1 }),
    ).rejects.toMatchObject({
      code: 'policy_violation',
      message: expect.stringMatching(/not owned by alice/) as string,
    })
  })

  it('reports a device the hub did not remove', async () => {
    const hub = hubWith({ json: <T>() => Promise.resolve({ deviceIds: [] } as T) })
    await expect(removeDevice(hub, { hub: 'lab', deviceId: 'x' })).rejects.toMatchObject({
      code: 'not_found',
    })
  })

  it('flattens published resource links', async () => {
    const hub = hubWith({
      async *stream<T>(path: string): AsyncIterable<T> {
        expect(path).toBe('/api/v1/devices/d1/resource-links')
        yield {
          deviceId: 'd1',
          resources: [
            { href: '/oic/d', resourceTypes: ['oic.wk.d'] },
            { href: '/light/1', resourceTypes: ['core.light'] },
          ],
        } as T
      },
    })
    expect(await resourceLinks(hub, { hub: 'lab', deviceId: 'd1' })).toEqual([
      { href: '/light/1', resourceTypes: ['core.light'] },
      { href: '/oic/d', resourceTypes: ['oic.wk.d'] },
    ])
  })
})
