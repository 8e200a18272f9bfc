import { describe, expect, it, vi } from 'vitest'
import type { ItemOutcome, JobContext } from '../../electron/jobs/job-handler.js'
import type { LocalDevicesJobInput } from '../../electron/local/device-job.js'
import { discoverHandler, type DiscoverJobInput } from '../../electron/local/discover.js'
import { offboardHandler } from '../../electron/local/offboard.js'
import { disownHandler, ownHandler } from '../../electron/local/ownership.js'
import { clientAppsOver, fakeClientApp, plgdError, type Answer, type Route } from './local-fakes.js'

const URL = 'http://localhost:8080'

/** A job context that runs every pending item one after another and keeps the outcomes. */
function jobContext<I>(input: I, keys: string[] = []) {
  const appended: { key: string; outcome: ItemOutcome }[][] = []
  const outcomes = new Map<string, ItemOutcome>()
  const ctx: JobContext<I> = {
    id: 'job-1',
    hub: '',
    input,
    signal: new AbortController().signal,
    concurrency: 1,
    forEachPending: async (work) => {
      for (const key of keys) outcomes.set(key, await work(key, new AbortController().signal))
    },
    update: () => {},
    append: (items) => appended.push(items),
  }
  return { ctx, appended, outcomes }
}

const wire = (i: number, extra: Record<string, unknown> = {}) => ({
  id: `d${i}`,
  name: `lamp ${i}`,
  types: ['oic.d.light'],
  ownershipStatus: 'UNOWNED',
  endpoints: [`coap://10.0.0.${i}:5683`],
  manufacturerName: [{ language: 'en', value: 'ACME' }],
  modelNumber: 'L1',
  ...extra,
})

const discoverInput = (over: Partial<DiscoverJobInput> = {}): DiscoverJobInput => ({
  clientAppUrl: URL,
  ips: [],
  types: [],
  timeoutSeconds: 3,
  ...over,
})

describe('local.discover', () => {
  it('appends devices in batches, once each, with the query asked', async () => {
    const devices = [...Array.from({ length: 45 }, (_, i) => wire(i)), wire(3)]
    const { ctx, appended } = jobContext(
      discoverInput({ ips: ['10.0.0.7'], ownership: 'UNOWNED', types: ['oic.d.light'] }),
    )
    const fake = fakeClientApp({
      'GET /api/v1/devices': (): Answer => ({ stream: devices }),
    })
    const { apps } = clientAppsOver(fake.transport)
    // The fake transport answers in one chunk: a batch size of 20 shows batching, not timing.
    const handler = discoverHandler(apps, { batchSize: 20, flushAfterMs: 60_000 })
    await handler.run(ctx)
    expect(appended.map((b) => b.length)).toEqual([20, 20, 5])
    const all = appended.flat()
    expect(new Set(all.map((a) => a.key)).size).toBe(45)
    expect(all[0]!.outcome).toEqual({
      state: 'done',
      detail: {
        id: 'd0',
        name: 'lamp 0',
        types: ['oic.d.light'],
        ownershipStatus: 'UNOWNED',
        endpoints: ['coap://10.0.0.0:5683'],
        manufacturer: 'ACME',
        model: 'L1',
      },
    })
    const q = fake.sent[0]!.query
    expect(q.getAll('useEndpoints')).toEqual(['10.0.0.7'])
    expect(q.getAll('useMulticast')).toEqual([])
    expect(q.get('timeout')).toBe('3000000000')
    expect(q.get('ownershipStatusFilter')).toBe('UNOWNED')
    expect(q.getAll('typeFilter')).toEqual(['oic.d.light'])
  })

  it('writes a lone device after flushAfterMs, not only when the next one answers', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const client = {
      baseUrl: URL,
      json: () => Promise.reject(new Error('not used')),
      async *stream() {
        yield wire(1)
        await gate
        yield wire(2)
      },
    }
    const apps = { open: () => ({ clientWith: () => client }) } as unknown as Parameters<
      typeof discoverHandler
    >[0]
    const { ctx, appended } = jobContext(discoverInput())
    const run = discoverHandler(apps, { batchSize: 20, flushAfterMs: 10 }).run(ctx)
    await vi.waitFor(() => expect(appended.flat().map((a) => a.key)).toEqual(['d1']))
    release()
    await run
    expect(appended.flat().map((a) => a.key)).toEqual(['d1', 'd2'])
  })

  it('multicast IPv4 when no address is given; a timeout past the window; numeric ownership read by name', async () => {
    const { ctx, appended } = jobContext(discoverInput())
    const fake = fakeClientApp({
      'GET /api/v1/devices': () => ({ stream: [wire(1, { ownershipStatus: 2 })] }),
    })
    const over = clientAppsOver(fake.transport)
    await discoverHandler(over.apps).run(ctx)
    expect(fake.sent[0]!.query.getAll('useMulticast')).toEqual(['IPV4'])
    // The HTTP client waits out the discovery window (3 s) and then some.
    expect(over.made.at(-1)?.timeoutMs).toBe(13_000)
    expect(appended.flat()[0]!.outcome.detail).toMatchObject({ ownershipStatus: 'OWNED' })
  })

  it('the title says where and how long', () => {
    const handler = discoverHandler(clientAppsOver(fakeClientApp({}).transport).apps)
    expect(handler.title(discoverInput({ ips: ['10.0.0.7'] }))).toBe(
      `discover devices at 10.0.0.7 (3 s) via ${URL}`,
    )
  })
})

/** A client-application whose devices are a map of id → ownership, with the simulator's words. */
function devicesApp(devices: Record<string, string>, extra: Record<string, Route> = {}) {
  const routes: Record<string, Route> = { ...extra }
  for (const [id, initial] of Object.entries(devices)) {
    let status = initial
    routes[`GET /api/v1/devices/${id}`] ??= () => ({
      json: { id, name: `n-${id}`, ownershipStatus: status },
    })
    routes[`POST /api/v1/devices/${id}/own`] ??= () => {
      if (status === 'OWNED-OTHER' || status === 'OWNED') {
        return plgdError(
          400,
          9,
          `cannot own device ${id}: device is already owned (${status === 'OWNED' ? 'by this client application' : 'by another owner'}); disown it first`,
        )
      }
      status = 'OWNED'
      return { json: {} }
    }
    routes[`POST /api/v1/devices/${id}/disown`] ??= () => {
      status = 'UNOWNED'
      return { json: {} }
    }
    routes[`POST /api/v1/devices/${id}/offboard`] ??= () => ({ json: {} })
  }
  return fakeClientApp(routes)
}

const devicesInput = (ids: string[]): LocalDevicesJobInput => ({
  clientAppUrl: URL,
  deviceIds: ids,
})
const noSigner = () => Promise.reject(new Error('no signing expected'))

describe('local.own', () => {
  it('owns the unowned; ours again is done; each other case fails with cause and fix', async () => {
    const fake = devicesApp({
      a: 'UNOWNED',
      ours: 'OWNED',
      theirs: 'OWNED-OTHER',
      bare: 'UNSUPPORTED',
    })
    const ids = ['a', 'ours', 'theirs', 'bare', 'ghost']
    const { ctx, outcomes } = jobContext(devicesInput(ids), ids)
    await ownHandler(clientAppsOver(fake.transport).apps, noSigner).run(ctx)
    expect(outcomes.get('a')).toMatchObject({ state: 'done', detail: { deviceStatus: 'OWNED' } })
    expect(outcomes.get('ours')).toMatchObject({
      state: 'done',
      message: 'already owned through this client-application',
    })
    expect(outcomes.get('theirs')).toMatchObject({ state: 'failed' })
    expect(outcomes.get('theirs')!.message).toMatch(
      /owned by someone else.*its owner must disown it.*local own theirs/,
    )
    expect(outcomes.get('bare')!.message).toMatch(/not secured/)
    expect(outcomes.get('ghost')!.message).toMatch(
      /does not know device ghost: run `local discover`/,
    )
  })

  it('X509 + USER_AGENT: the CSR is signed and the ownership finished with its state', async () => {
    let owned = false
    const fake = devicesApp(
      {},
      {
        'GET /api/v1/devices/x': () => ({
          json: { id: 'x', ownershipStatus: owned ? 'OWNED' : 'UNOWNED' },
        }),
        'POST /api/v1/devices/x/own': () => ({
          json: {
            identityCertificateChallenge: { certificateSigningRequest: 'Q1NS', state: 'st-1' },
          },
        }),
        'POST /api/v1/devices/x/own/st-1': (sent) => {
          owned = (sent.body as { certificate: string }).certificate === 'Q0VSVA=='
          return { json: {} }
        },
      },
    )
    const signed: string[] = []
    const { ctx, outcomes } = jobContext(devicesInput(['x']), ['x'])
    await ownHandler(clientAppsOver(fake.transport).apps, () =>
      Promise.resolve((csr: string) => {
        signed.push(csr)
        return Promise.resolve('Q0VSVA==')
      }),
    ).run(ctx)
    expect(signed).toEqual(['Q1NS'])
    expect(outcomes.get('x')).toMatchObject({ state: 'done', detail: { deviceStatus: 'OWNED' } })
  })

  it('client-application stopping mid-job: the item says start it and resume the job', async () => {
    const fake = fakeClientApp({ 'GET /api/v1/devices/a': () => 'refused' })
    const { ctx, outcomes } = jobContext(devicesInput(['a']), ['a'])
    await ownHandler(clientAppsOver(fake.transport).apps, noSigner).run(ctx)
    expect(outcomes.get('a')!.message).toMatch(
      /did not answer at http:\/\/localhost:8080.*jobs resume job-1/,
    )
  })

  it('X509: a token for another owner is the token, not the device', async () => {
    const fake = devicesApp(
      { a: 'UNOWNED' },
      {
        'POST /api/v1/devices/a/own': () =>
          plgdError(
            403,
            7,
            "cannot access to /api/v1/devices/a/own: invalid owner('bob'): client application is initialized by another owner",
          ),
      },
    )
    const { ctx, outcomes } = jobContext(devicesInput(['a']), ['a'])
    await ownHandler(clientAppsOver(fake.transport).apps, noSigner).run(ctx)
    expect(outcomes.get('a')!.message).toMatch(/owning device a: .*HTTP 403.*local status/)
    expect(outcomes.get('a')!.message).not.toMatch(/someone else/)
  })
})

describe('local.disown and local.offboard', () => {
  it('disown: owned becomes unowned; an unowned device fails saying so', async () => {
    const fake = devicesApp({ a: 'OWNED', b: 'UNOWNED' })
    const { ctx, outcomes } = jobContext(devicesInput(['a', 'b']), ['a', 'b'])
    await disownHandler(clientAppsOver(fake.transport).apps).run(ctx)
    expect(outcomes.get('a')).toMatchObject({ state: 'done', detail: { deviceStatus: 'UNOWNED' } })
    expect(outcomes.get('b')).toMatchObject({
      state: 'failed',
      message: 'device b is not owned: there is nothing to disown',
    })
    expect(fake.sent.filter((s) => s.path.endsWith('/disown')).map((s) => s.path)).toEqual([
      '/api/v1/devices/a/disown',
    ])
  })

  it("offboard: an unowned device is told to be owned first; another's names its owner", async () => {
    const fake = devicesApp(
      { a: 'OWNED', b: 'UNOWNED', c: 'OWNED' },
      {
        'POST /api/v1/devices/c/offboard': () =>
          plgdError(
            403,
            7,
            'cannot offboard device: device c is owned by another client application (owner bob)',
          ),
      },
    )
    const { ctx, outcomes } = jobContext(devicesInput(['a', 'b', 'c']), ['a', 'b', 'c'])
    await offboardHandler(clientAppsOver(fake.transport).apps).run(ctx)
    expect(outcomes.get('a')).toMatchObject({ state: 'done' })
    expect(outcomes.get('b')!.message).toContain('`local own b` first')
    expect(outcomes.get('c')!.message).toMatch(/owned by someone else/)
  })

  it('titles and items: one per distinct device', () => {
    const handler = disownHandler(clientAppsOver(fakeClientApp({}).transport).apps)
    expect(handler.initialItems(devicesInput(['a', 'b', 'a']))).toEqual(['a', 'b'])
    expect(handler.title(devicesInput(['a', 'b']))).toBe(`disown 2 devices via ${URL}`)
  })
})
