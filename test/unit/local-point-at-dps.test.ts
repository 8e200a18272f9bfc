import { describe, expect, it } from 'vitest'
import { localPointAtDpsInput } from '../../shared/contract/index.js'
import { pointAtDpsHandler, type PointAtDps } from '../../electron/local/point-at-dps.js'
import type { HubDirectory } from '../../electron/plgd/hub-context.js'
import { FakeDps, ISSUER, hubContext, hubView } from './dps-fixtures.js'
import { APP_URL, FakeClientApp, detailOf, fakeJob, httpError } from './local-onboard-fixtures.js'

const OK = { date: '1751476400000000000', coapCode: 68 }
const allDone = {
  plgdTime: OK,
  ownership: { status: OK },
  credential: { status: OK },
  acl: { status: OK },
  cloud: { status: OK },
}
const ENDPOINT = 'coaps+tcp://dps.example.com:15684'

function input(over: Partial<PointAtDps> = {}): PointAtDps {
  return {
    ...localPointAtDpsInput.parse({ hub: 'lab', deviceIds: ['dev-1'], ...over }),
    clientAppUrl: APP_URL,
  }
}

function handler(
  app: FakeClientApp,
  dps: FakeDps,
  options: { now?: () => number; profile?: ReturnType<typeof hubView> } = {},
) {
  const hubs: HubDirectory = { open: () => hubContext(dps, options.profile ?? hubView()) }
  return pointAtDpsHandler({
    hubs,
    clientApp: () => app.context(),
    mintBearer: async (id) => ({ token: `bearer-of-${id}`, expiresAt: null }),
    issuer: () => ISSUER,
    pollMs: 1,
    nowMs: options.now ?? (() => 0),
  })
}

describe('local.pointAtDps', () => {
  it("writes the hub's DPS address and follows device and DPS side by side until provisioned", async () => {
    const app = new FakeClientApp().own('dev-1')
    app.dpsConf.set('dev-1', [
      { endpoint: '', provisionStatus: 'uninitialized' },
      { endpoint: ENDPOINT, provisionStatus: 'provisioning credentials' },
      { endpoint: ENDPOINT, provisionStatus: 'provisioned' },
    ])
    const dps = new FakeDps()
    let reads = 0
    dps.fail = (_m, path) => {
      if (path !== '/api/v1/provisioning-records') return undefined
      reads++
      if (reads === 2) dps.records = [{ deviceId: 'dev-1', owner: '1', plgdTime: OK }]
      if (reads === 3) dps.records = [{ deviceId: 'dev-1', owner: '1', ...allDone }]
      return undefined
    }
    const job = fakeJob(input({ clientId: 'dps' }))
    await handler(app, dps).run(job.ctx)

    const put = app.calls.find((c) => c.method === 'PUT')
    expect(put).toMatchObject({
      path: '/api/v1/devices/dev-1/resources/plgd/dps',
      body: { endpoint: ENDPOINT },
    })
    const outcome = job.outcomes.get('dev-1')!
    expect(outcome.state).toBe('done')
    expect(detailOf(outcome).deviceStatus).toBe('provisioned')
    expect(detailOf(outcome).dpsSteps.map((s: { state: string }) => s.state)).toEqual(
      Array(5).fill('done'),
    )
    // Progress went out as either side changed, not once per poll.
    const seen = job.updates.map(([, o]) => detailOf(o).deviceStatus)
    expect(seen).toEqual(['uninitialized', 'provisioning credentials'])
    expect(dps.calls.every((c) => c.bearer === 'bearer-of-dps')).toBe(true)
  })

  it('reads DPS in batches of 100 ids, however many devices poll', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => `dev-${i}`)
    const app = new FakeClientApp().own(...ids)
    for (const id of ids) app.dpsConf.set(id, [{ provisionStatus: 'provisioned' }])
    const dps = new FakeDps()
    dps.records = ids.map((deviceId) => ({ deviceId, owner: '1', ...allDone }))
    const job = fakeJob(input({ deviceIds: ids }))
    await handler(app, dps).run(job.ctx)
    const sizes = dps.calls.map((c) => (c.request!.query!.deviceIdFilter as string[]).length)
    expect(sizes).toEqual([100, 50])
    expect([...job.outcomes.values()].every((o) => o.state === 'done')).toBe(true)
    // Without --client, the hub profile's bearer reads the records.
    expect(dps.calls[0]!.bearer).toBe('hub-bearer')
  })

  it('refuses an unowned device before writing anything: own it first', async () => {
    const app = new FakeClientApp()
    app.devices.set('dev-1', 'UNOWNED')
    const job = fakeJob(input())
    await handler(app, new FakeDps()).run(job.ctx)
    const outcome = job.outcomes.get('dev-1')!
    expect(outcome).toMatchObject({ state: 'failed' })
    expect(detailOf(outcome).failedAt).toBe('device')
    expect((outcome as { message: string }).message).toContain('own it first: `local own dev-1`')
    expect(app.count('PUT', '/plgd/dps')).toBe(0)
  })

  it('a device client-application does not know: discover it first', async () => {
    const app = new FakeClientApp()
    const job = fakeJob(input())
    await handler(app, new FakeDps()).run(job.ctx)
    const outcome = job.outcomes.get('dev-1') as { message: string }
    expect(detailOf(outcome).failedAt).toBe('client-application')
    expect(outcome.message).toMatch(/does not know device dev-1.*`local discover --client-app/)
  })

  it('a device that cannot reach DPS fails at the device, naming the endpoint', async () => {
    const app = new FakeClientApp().own('dev-1')
    app.dpsConf.set('dev-1', [
      { provisionStatus: 'uninitialized' },
      { provisionStatus: 'transient failure', lastErrorCode: 2 },
    ])
    const job = fakeJob(input())
    await handler(app, new FakeDps()).run(job.ctx)
    const outcome = job.outcomes.get('dev-1') as { state: string; message: string }
    expect(outcome.state).toBe('failed')
    expect(detailOf(outcome).failedAt).toBe('device')
    expect(outcome.message).toContain(`cannot reach DPS at ${ENDPOINT}`)
    expect(outcome.message).toContain('--dps-endpoint')
  })

  it('a device DPS turns away (no enrollment group) fails at the device, naming the chain', async () => {
    const app = new FakeClientApp().own('dev-1')
    app.dpsConf.set('dev-1', [{ provisionStatus: 'failure', lastErrorCode: 1 }])
    const job = fakeJob(input())
    await handler(app, new FakeDps()).run(job.ctx)
    const outcome = job.outcomes.get('dev-1') as { message: string }
    expect(detailOf(outcome).failedAt).toBe('device')
    expect(outcome.message).toMatch(/manufacturer certificate must chain to an enrollment group/)
  })

  it('a device that gives up while DPS shows no failed step says what DPS showed', async () => {
    const app = new FakeClientApp().own('dev-1')
    app.dpsConf.set('dev-1', [{ provisionStatus: 'failure', lastErrorCode: 5 }])
    const dps = new FakeDps()
    dps.records = [{ deviceId: 'dev-1', owner: '1', plgdTime: OK, ownership: { status: OK } }]
    const job = fakeJob(input())
    await handler(app, dps).run(job.ctx)
    const outcome = job.outcomes.get('dev-1') as { message: string }
    expect(detailOf(outcome).failedAt).toBe('device')
    expect(outcome.message).toContain('setting its cloud configuration failed, lastErrorCode 5')
    expect(outcome.message).toContain("DPS's record shows ownership done, credentials pending")
  })

  it.each([
    [
      'invalid owner claim: the token of client dps carries https://plgd.dev/owner="3", the enrollment group owner is "1"',
      'token',
      /tokens carry owner 3/,
    ],
    [
      'cannot sign up: coap-gateway: rpc error: code = Unauthenticated desc = invalid token: unknown issuer',
      'hub',
      /coap-gateway does not trust this issuer/,
    ],
    ['cannot set acl', 'dps', /^acl failed at DPS: cannot set acl/],
  ])('a failed DPS step (%s) says where: %s', async (errorMessage, place, words) => {
    const app = new FakeClientApp().own('dev-1')
    app.dpsConf.set('dev-1', [{ provisionStatus: 'provisioning acls' }])
    const dps = new FakeDps()
    dps.records = [{ deviceId: 'dev-1', owner: '1', ...allDone, acl: { status: { errorMessage } } }]
    const job = fakeJob(input())
    await handler(app, dps).run(job.ctx)
    const outcome = job.outcomes.get('dev-1') as { state: string; message: string }
    expect(outcome.state).toBe('failed')
    expect(detailOf(outcome).failedAt).toBe(place)
    expect(outcome.message).toMatch(words)
  })

  it('waits for the DPS record to finish when the device already says provisioned', async () => {
    const app = new FakeClientApp().own('dev-1')
    app.dpsConf.set('dev-1', [{ provisionStatus: 'provisioned' }])
    const dps = new FakeDps()
    let reads = 0
    dps.fail = () => {
      reads++
      dps.records = [
        reads < 3
          ? { deviceId: 'dev-1', owner: '1', plgdTime: OK }
          : { deviceId: 'dev-1', owner: '1', ...allDone },
      ]
      return undefined
    }
    const job = fakeJob(input())
    await handler(app, dps).run(job.ctx)
    expect(job.outcomes.get('dev-1')!.state).toBe('done')
    expect(reads).toBe(3)
  })

  it('goes on with the device alone when DPS refuses the bearer, and says so on timeout', async () => {
    const app = new FakeClientApp().own('dev-1', 'dev-2')
    app.dpsConf.set('dev-1', [{ provisionStatus: 'provisioned' }])
    app.dpsConf.set('dev-2', [{ provisionStatus: 'provisioning cloud' }])
    const dps = new FakeDps()
    dps.fail = () => httpError(403, 'DPS: permission denied')
    let now = 0
    const job = fakeJob(input({ deviceIds: ['dev-1', 'dev-2'], timeoutSeconds: 5 }))
    await handler(app, dps, { now: () => (now += 1000) }).run(job.ctx)
    expect(job.outcomes.get('dev-1')!.state).toBe('done')
    const timedOut = job.outcomes.get('dev-2') as { state: string; message: string }
    expect(timedOut.state).toBe('timeout')
    expect(timedOut.message).toMatch(/within 5 s: the device last said "provisioning cloud"/)
    expect(timedOut.message).toMatch(/DPS records could not be read \(.*permission denied\)/)
    // Once refused, DPS is not asked again on every poll.
    expect(dps.calls.length).toBe(1)
  })

  it('a timeout says what the device and DPS showed last', async () => {
    const app = new FakeClientApp().own('dev-1')
    app.dpsConf.set('dev-1', [{ provisionStatus: 'provisioning credentials' }])
    const dps = new FakeDps()
    dps.records = [{ deviceId: 'dev-1', owner: '1', plgdTime: OK }]
    let now = 0
    const job = fakeJob(input({ timeoutSeconds: 3 }))
    await handler(app, dps, { now: () => (now += 1000) }).run(job.ctx)
    const outcome = job.outcomes.get('dev-1') as { state: string; message: string }
    expect(outcome.state).toBe('timeout')
    expect(outcome.message).toContain('"provisioning credentials"')
    expect(outcome.message).toContain('DPS: ownership pending, credentials pending')
    expect(outcome.message).toContain('plgdTime done')
  })

  it('fails the whole job up front when the hub profile has no DPS device address', async () => {
    const app = new FakeClientApp().own('dev-1')
    const job = fakeJob(input())
    const run = handler(app, new FakeDps(), {
      profile: hubView({ dpsDeviceEndpoint: null }),
    }).run(job.ctx)
    await expect(run).rejects.toThrow('hubs update lab --dps-endpoint coaps+tcp://HOST:15684')
    expect(app.calls).toHaveLength(0)
  })

  it('stops polling when cancelled', async () => {
    const app = new FakeClientApp().own('dev-1')
    app.dpsConf.set('dev-1', [{ provisionStatus: 'provisioning credentials' }])
    const controller = new AbortController()
    let reads = 0
    app.fail = (method, path) => {
      if (method === 'GET' && path.endsWith('/plgd/dps') && ++reads === 3) controller.abort()
      return undefined
    }
    const job = fakeJob(input(), 'lab', controller.signal)
    await handler(app, new FakeDps()).run(job.ctx)
    expect(job.outcomes.get('dev-1')!.state).toBe('cancelled')
    expect(reads).toBe(3)
  })
})
