import { describe, expect, it } from 'vitest'
import { localOnboardInput } from '../../shared/contract/index.js'
import {
  boundedLifetime,
  coapGatewayAddress,
  onboardHandler,
  type LocalOnboard,
  type MintRequest,
  type OnboardClient,
} from '../../electron/local/onboard.js'
import type { HubDirectory } from '../../electron/plgd/hub-context.js'
import { FakeDps, HUB_CA_PEM, HUB_ID, ISSUER, hubContext, hubView } from './dps-fixtures.js'
import { APP_URL, FakeClientApp, detailOf, fakeJob, httpError } from './local-onboard-fixtures.js'

const TOKEN_PREFIX = 'eyJ.secret-token-of-'
const ISSUER_CA_PEM = '-----BEGIN CERTIFICATE-----\nTUlJQg==\n-----END CERTIFICATE-----\n'

function input(over: Partial<LocalOnboard> = {}): LocalOnboard {
  return {
    ...localOnboardInput.parse({
      hub: 'lab',
      clientId: 'coap-gateway',
      deviceIds: ['dev-1'],
      ...over,
    }),
    clientAppUrl: APP_URL,
  }
}

interface Setup {
  app: FakeClientApp
  profile?: ReturnType<typeof hubView>
  client?: OnboardClient | undefined
  mint?: (request: MintRequest) => Promise<{ accessToken: string; jti: string; expiresAt: number }>
  now?: () => number
  owner?: string | null
}

function handler(s: Setup) {
  const minted: MintRequest[] = []
  const hubs: HubDirectory = { open: () => hubContext(new FakeDps(), s.profile ?? hubView()) }
  const h = onboardHandler({
    hubs,
    clientApp: () => s.app.context(s.owner === undefined ? 'owner-1' : s.owner),
    client: () =>
      'client' in s
        ? s.client
        : { audiences: ['hub'], maxLifetimeSeconds: 600, allowDeviceId: true },
    mintDeviceToken: async (request) => {
      minted.push(request)
      if (s.mint) return s.mint(request)
      return {
        accessToken: `${TOKEN_PREFIX}${request.deviceId}`,
        jti: `jti-${request.deviceId}`,
        expiresAt: 1_000 + request.lifetimeSeconds,
      }
    },
    issuer: () => ({
      url: ISSUER,
      caPem: ISSUER_CA_PEM,
      ownerClaim: 'https://plgd.dev/owner',
      deviceIdClaim: 'https://plgd.dev/deviceId',
      maxLifetimeSeconds: 86_400,
    }),
    pollMs: 1,
    nowMs: s.now ?? (() => 0),
  })
  return { handler: h, minted }
}

const registered = [{ cps: 'readytoregister' }, { cps: 'registering' }, { cps: 'registered' }]

describe('token lifetime and address', () => {
  it.each([
    [3600, 600, 86_400, 600],
    [300, 600, 86_400, 300],
    [3600, 0, 1800, 1800],
  ])('asked %i, client cap %i, issuer cap %i: %i', (asked, client, issuer, expected) =>
    expect(boundedLifetime(asked, client, issuer)).toBe(expected),
  )

  it('gives coap-gateway a scheme when the hub publishes host:port', () => {
    expect(coapGatewayAddress('hub.example.com:5684')).toBe('coaps+tcp://hub.example.com:5684')
    expect(coapGatewayAddress('coaps+tcp://h:5684')).toBe('coaps+tcp://h:5684')
  })
})

describe('local.onboard', () => {
  it('mints a bounded token for the device owner, onboards with the hub profile and follows until registered', async () => {
    const app = new FakeClientApp().own('dev-1')
    app.cloudConf.set('dev-1', [...registered])
    const { handler: h, minted } = handler({ app })
    const job = fakeJob(input({ tokenLifetimeSeconds: 3600, providerName: 'console' }))
    await h.run(job.ctx)

    expect(minted).toEqual([
      {
        clientId: 'coap-gateway',
        owner: 'owner-1',
        deviceId: 'dev-1',
        lifetimeSeconds: 600,
        audiences: ['hub'],
        name: 'console: onboard dev-1',
        hub: 'lab',
      },
    ])
    const post = app.calls.find((c) => c.method === 'POST')!
    expect(post.path).toBe('/api/v1/devices/dev-1/onboard')
    expect(post.body).toEqual({
      coapGatewayAddress: 'coaps+tcp://hub.example.com:5684',
      authorizationCode: `${TOKEN_PREFIX}dev-1`,
      authorizationProviderName: 'console',
      hubId: HUB_ID,
      certificateAuthorities: HUB_CA_PEM,
    })
    const outcome = job.outcomes.get('dev-1')!
    expect(outcome.state).toBe('done')
    expect(detailOf(outcome)).toEqual({
      deviceStatus: 'registered',
      token: { jti: 'jti-dev-1', expiresAt: 1600 },
    })
    expect(job.updates.map(([, o]) => detailOf(o).deviceStatus)).toEqual([
      null,
      'readytoregister',
      'registering',
    ])
  })

  it('never puts the token in a detail, an update or a message, even when an answer echoes it', async () => {
    const app = new FakeClientApp().own('dev-1', 'dev-2')
    app.cloudConf.set('dev-1', [...registered])
    app.fail = (method, path) =>
      method === 'POST' && path.includes('dev-2')
        ? httpError(400, `invalid authorizationCode ${TOKEN_PREFIX}dev-2`)
        : undefined
    const { handler: h } = handler({ app })
    const job = fakeJob(input({ deviceIds: ['dev-1', 'dev-2'] }))
    await h.run(job.ctx)
    const everything = JSON.stringify([[...job.outcomes], job.updates])
    expect(everything).not.toContain(TOKEN_PREFIX)
    expect(job.outcomes.get('dev-2')).toMatchObject({ state: 'failed' })
    expect((job.outcomes.get('dev-2') as { message: string }).message).toContain('<token>')
  })

  it('omits the device id when the client may not carry one and the hub reads none', async () => {
    const app = new FakeClientApp().own('dev-1')
    app.cloudConf.set('dev-1', [{ cps: 'registered' }])
    const { handler: h, minted } = handler({
      app,
      client: { audiences: [], maxLifetimeSeconds: 0, allowDeviceId: false },
      profile: hubView({ deviceIdClaim: '' }),
    })
    const job = fakeJob(input({ tokenLifetimeSeconds: 900 }))
    await h.run(job.ctx)
    expect(minted[0]).toMatchObject({ deviceId: undefined, lifetimeSeconds: 900 })
    expect(job.outcomes.get('dev-1')!.state).toBe('done')
  })

  it('coap-gateway refusing the token (clec 4) fails at the token with the provider YAML', async () => {
    const app = new FakeClientApp().own('dev-1')
    app.cloudConf.set('dev-1', [{ cps: 'registering' }, { cps: 'failed', clec: 4 }])
    const { handler: h } = handler({ app })
    const job = fakeJob(input({ providerName: 'console' }))
    await h.run(job.ctx)
    const outcome = job.outcomes.get('dev-1') as { state: string; message: string }
    expect(outcome.state).toBe('failed')
    const detail = detailOf(outcome)
    expect(detail.failedAt).toBe('token')
    expect(outcome.message).toMatch(/provider "console" does not accept tokens of this issuer/)
    expect(detail.snippet).toContain('name: console')
    expect(detail.snippet).toContain(`authority: ${ISSUER}`)
    expect(detail.snippet).toContain('grantType: clientCredentials')
    // The hub's services trust another authority: coap-gateway must list ours too.
    expect(detail.snippet).toContain('endpoints:')
    // The provider and the endpoint entry both carry our CA inline, ready to paste.
    const inlineCa = `data:;base64,${Buffer.from(ISSUER_CA_PEM).toString('base64')}`
    expect(detail.snippet!.split(inlineCa)).toHaveLength(3)
  })

  it('leaves the endpoints entry out when the hub already trusts this issuer', async () => {
    const app = new FakeClientApp().own('dev-1')
    app.cloudConf.set('dev-1', [{ cps: 'failed', clec: '4' }])
    const { handler: h } = handler({ app, profile: hubView({ authority: ISSUER }) })
    const job = fakeJob(input())
    await h.run(job.ctx)
    const detail = detailOf(job.outcomes.get('dev-1'))
    expect(detail.snippet).toContain('name: plgd.dps')
    expect(detail.snippet).not.toContain('endpoints:')
  })

  it.each([
    [2, 'device', /cannot reach coap-gateway at coaps\+tcp:\/\/hub.example.com:5684/],
    [1, 'hub', /coap-gateway refused the sign-up.*hubs check lab/],
  ])('clec %i fails at the %s', async (clec, place, words) => {
    const app = new FakeClientApp().own('dev-1')
    app.cloudConf.set('dev-1', [{ cps: 'failed', clec }])
    const { handler: h } = handler({ app })
    const job = fakeJob(input())
    await h.run(job.ctx)
    const outcome = job.outcomes.get('dev-1') as { message: string }
    expect(detailOf(outcome).failedAt).toBe(place)
    expect(outcome.message).toMatch(words)
    expect(detailOf(outcome).snippet).toBeUndefined()
  })

  it("an owner the client may not mint for fails at the token, naming the client's allowed owners", async () => {
    const app = new FakeClientApp().own('dev-1')
    const { handler: h } = handler({
      app,
      mint: () => Promise.reject(new Error('owner owner-1 is not allowed for client coap-gateway')),
    })
    const job = fakeJob(input())
    await h.run(job.ctx)
    const outcome = job.outcomes.get('dev-1') as { message: string }
    expect(detailOf(outcome).failedAt).toBe('token')
    expect(outcome.message).toContain('--allowed-owner owner-1')
    expect(app.count('POST', '/onboard')).toBe(0)
  })

  it('refuses an unowned device before minting: own it first', async () => {
    const app = new FakeClientApp()
    app.devices.set('dev-1', 'UNOWNED')
    const { handler: h, minted } = handler({ app })
    const job = fakeJob(input())
    await h.run(job.ctx)
    const outcome = job.outcomes.get('dev-1') as { message: string }
    expect(detailOf(outcome).failedAt).toBe('device')
    expect(outcome.message).toContain('`local own dev-1`')
    expect(minted).toHaveLength(0)
  })

  it('onboards an unsecured device (no ownership to check) on its plain endpoint', async () => {
    const app = new FakeClientApp()
    app.devices.set('dev-1', 'UNSUPPORTED')
    app.cloudConf.set('dev-1', [{ cps: 'registered' }])
    const { handler: h } = handler({ app })
    const job = fakeJob(input())
    await h.run(job.ctx)
    expect(job.outcomes.get('dev-1')!.state).toBe('done')
    expect(app.count('POST', '/onboard')).toBe(1)
  })

  it('times out with the last cloud status seen', async () => {
    const app = new FakeClientApp().own('dev-1')
    app.cloudConf.set('dev-1', [{ cps: 'registering' }])
    let now = 0
    const { handler: h } = handler({ app, now: () => (now += 1000) })
    const job = fakeJob(input({ timeoutSeconds: 3 }))
    await h.run(job.ctx)
    const outcome = job.outcomes.get('dev-1') as { state: string; message: string }
    expect(outcome.state).toBe('timeout')
    expect(outcome.message).toMatch(/within 3 s: its cloud status was still "registering"/)
  })

  it.each([
    [{ hubCaPem: null }, /publishes no CA bundle.*hubs update lab --rediscover/],
    [{ coapGateway: '' }, /publishes no coap-gateway address/],
  ])('fails the whole job up front when the profile lacks %j', async (over, words) => {
    const app = new FakeClientApp().own('dev-1')
    const { handler: h } = handler({ app, profile: hubView(over) })
    await expect(h.run(fakeJob(input()).ctx)).rejects.toThrow(words)
    expect(app.calls).toHaveLength(0)
  })

  it('fails the whole job when client-application has no known owner', async () => {
    const app = new FakeClientApp().own('dev-1')
    const { handler: h } = handler({ app, owner: null })
    await expect(h.run(fakeJob(input()).ctx)).rejects.toThrow(/local init --owner OWNER/)
  })

  it('stops polling when cancelled', async () => {
    const app = new FakeClientApp().own('dev-1')
    app.cloudConf.set('dev-1', [{ cps: 'registering' }])
    const controller = new AbortController()
    let reads = 0
    app.fail = (method, path) => {
      if (method === 'GET' && path.endsWith('CoapCloudConfResURI') && ++reads === 2)
        controller.abort()
      return undefined
    }
    const { handler: h } = handler({ app })
    const job = fakeJob(input(), 'lab', controller.signal)
    await h.run(job.ctx)
    expect(job.outcomes.get('dev-1')!.state).toBe('cancelled')
    expect(reads).toBe(2)
  })
})
