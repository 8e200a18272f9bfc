// @vitest-environment node
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { get } from 'node:http'
import { createInterface } from 'node:readline'
import { Agent } from 'node:https'
import { SignJWT, exportJWK, generateKeyPair } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startIssuer, type RunningIssuer } from '../../electron/issuer/issuer-runtime.js'
import {
  makeDevices,
  startClientAppSimulator,
  type ClientAppSimulator,
  type ClientAppSimulatorOptions,
} from '../fixtures/client-app-simulator/index.mjs'
import { startHubSimulator, type HubSimulator } from '../fixtures/hub-simulator/index.mjs'
import { FixedClock, openTestApp, type TestApp } from '../helpers/fakes.js'
import { FORM, basicAuth, httpRequest, type HttpResponse } from '../helpers/cli.js'

/**
 * The client-application simulator against a real hub simulator and this app's real issuer on
 * 127.0.0.1: PSK and X509 initialisation (the CSR signed by the hub simulator's CA), discovery
 * streamed as devices answer, ownership, resources, onboarding judged by the hub's coap-gateway
 * stand-in, and the DPS resource mirroring the hub's provisioning record.
 */

const OWNER = '1'
const OTHER_OWNER = '2'
const PSK = { subjectId: OWNER, key: '0123456789abcdef-and-more' }

let t: TestApp
let issuer: RunningIssuer
let issuerCa: string
let hub: HubSimulator
let hubAgent: Agent
let bearer: string
let otherBearer: string
let dpsSecret: string
const apps: ClientAppSimulator[] = []

async function mint(clientId: string, secret: string): Promise<string> {
  const res = await httpRequest(issuer.ready.tokenEndpoint, {
    method: 'POST',
    ca: issuerCa,
    headers: { 'content-type': FORM, authorization: basicAuth(clientId, secret) },
    body: 'grant_type=client_credentials',
  })
  expect(res.status, res.text).toBe(200)
  return res.json<{ access_token: string }>().access_token
}

async function startApp(options: ClientAppSimulatorOptions = {}): Promise<ClientAppSimulator> {
  const app = await startClientAppSimulator({
    tickMs: 20,
    hub: { simUrl: hub.url, caPem: hub.caPem },
    ...options,
  })
  apps.push(app)
  return app
}

function call(
  app: ClientAppSimulator,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<HttpResponse> {
  return httpRequest(`${app.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
}

function callHub(method: string, path: string, body?: unknown, token = bearer) {
  return httpRequest(`${hub.url}${path}`, {
    method,
    agent: hubAgent,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
}

function results<T = Record<string, unknown>>(res: HttpResponse): T[] {
  return res.text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { result: T }).result)
}

async function initPsk(app: ClientAppSimulator): Promise<void> {
  const res = await call(app, 'POST', '/api/v1/initialize', { preSharedKey: PSK })
  expect(res.status, res.text).toBe(200)
}

/** A resource's content as client-application answers it (decoded by the JsonMarshaler). */
async function readResource<T = Record<string, unknown>>(
  app: ClientAppSimulator,
  id: string,
  href: string,
  token?: string,
): Promise<T> {
  const res = await call(app, 'GET', `/api/v1/devices/${id}/resources${href}`, undefined, token)
  expect(res.status, res.text).toBe(200)
  return res.json<{ data: { content: T } }>().data.content
}

/** Polls a resource until `done` holds for its content; returns every distinct value seen. */
async function pollResource<T>(
  app: ClientAppSimulator,
  id: string,
  href: string,
  done: (content: T) => boolean,
): Promise<T[]> {
  const seen: T[] = []
  for (let i = 0; i < 150; i++) {
    const content = await readResource<T>(app, id, href)
    if (JSON.stringify(seen.at(-1)) !== JSON.stringify(content)) seen.push(content)
    if (done(content)) return seen
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`${href} of ${id} never settled: ${JSON.stringify(seen)}`)
}

/** A discovery as it streams: each chunk's arrival (ms since the request) and its devices. */
function discoverTimed(
  app: ClientAppSimulator,
  query: string,
): Promise<{ status: number; chunks: { at: number; ids: string[] }[]; total: number }> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    get(`${app.url}/api/v1/devices?${query}`, (res) => {
      const chunks: { at: number; ids: string[] }[] = []
      res.setEncoding('utf8')
      res.on('data', (text: string) => {
        const ids = text
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => (JSON.parse(l) as { result: { id: string } }).result.id)
        chunks.push({ at: Date.now() - started, ids })
      })
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, chunks, total: Date.now() - started }),
      )
      res.on('error', reject)
    }).on('error', reject)
  })
}

const dataUri = (text: string): string => `data:;base64,${Buffer.from(text).toString('base64')}`

/** A DPS hub record and an enrollment group at the hub simulator, so devices can provision. */
async function dpsSetUp(secret = dpsSecret): Promise<void> {
  const hubRecord = await callHub('POST', '/api/v1/hubs', {
    hubId: hub.hubId,
    name: 'simulated hub',
    gateways: ['127.0.0.1:5684'],
    certificateAuthority: {
      grpc: { address: '127.0.0.1:9100', tls: { caPool: [dataUri(hub.caPem)] } },
    },
    authorization: {
      ownerClaim: 'https://plgd.dev/owner',
      deviceIdClaim: 'https://plgd.dev/deviceId',
      provider: {
        name: 'plgd.dps',
        authority: issuer.ready.issuer,
        clientId: 'dps',
        clientSecret: `data:,${encodeURIComponent(secret)}`,
        http: { timeout: '10000000000', tls: { caPool: [dataUri(issuerCa)] } },
      },
    },
  })
  expect(hubRecord.status, hubRecord.text).toBe(200)
  const group = await callHub('POST', '/api/v1/enrollment-groups', {
    name: 'bench',
    hubIds: [hub.hubId],
    attestationMechanism: { x509: { certificateChain: dataUri(hub.caPem) } },
    preSharedKey: `data:,${'k'.repeat(16)}`,
  })
  expect(group.status, group.text).toBe(200)
}

beforeAll(async () => {
  t = await openTestApp({ clock: new FixedClock(Math.floor(Date.now() / 1000)) })
  issuer = await startIssuer(t.app, { listen: { host: '127.0.0.1', port: 0 } })
  issuerCa = readFileSync(issuer.ready.caCertFile ?? '', 'utf8')
  const consoleClient = t.app.clients.add({ id: 'console', owner: OWNER })
  const otherClient = t.app.clients.add({ id: 'other', owner: OTHER_OWNER })
  dpsSecret = t.app.clients.add({ id: 'dps', owner: OWNER, allowDeviceId: true }).clientSecret ?? ''
  hub = await startHubSimulator({
    trustedAuthority: issuer.ready.issuer,
    trustedCaPem: issuerCa,
    tickMs: 20,
  })
  hubAgent = new Agent({ ca: hub.caPem })
  bearer = await mint('console', consoleClient.clientSecret ?? '')
  otherBearer = await mint('other', otherClient.clientSecret ?? '')
})

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

afterAll(async () => {
  await hub?.close()
  hubAgent?.destroy()
  await issuer?.stop()
  t?.close()
})

describe('client-application simulator, PSK mode', () => {
  it('publishes its configuration and refuses device calls before initialisation', async () => {
    const app = await startApp({ defaultDiscoveryTimeoutMs: 1500 })
    const config = await call(app, 'GET', '/.well-known/configuration')
    expect(config.status).toBe(200)
    expect(config.json()).toMatchObject({
      isInitialized: false,
      deviceAuthenticationMode: 'PRE_SHARED_KEY',
      buildInfo: { version: expect.any(String) },
      ui: { defaultDiscoveryTimeout: '1500000000' },
    })
    expect(config.json()).not.toHaveProperty('remoteProvisioning')
    const devices = await call(app, 'GET', '/api/v1/devices?useMulticast=IPV4')
    expect(devices.status).toBe(400)
    expect(devices.json()).toEqual({
      code: 9,
      message: 'client application is not initialized: call POST /api/v1/initialize first',
      details: [],
    })
  })

  it('initialises with a subject id and a key of 16 bytes or more, once, and resets', async () => {
    const app = await startApp()
    const noSubject = await call(app, 'POST', '/api/v1/initialize', {
      preSharedKey: { key: PSK.key },
    })
    expect(noSubject.status).toBe(400)
    expect(noSubject.json()).toMatchObject({ code: 3, message: expect.stringMatching(/subjectId/) })
    const shortKey = await call(app, 'POST', '/api/v1/initialize', {
      pre_shared_key: { subject_id: OWNER, key: 'fifteen-bytes!!' },
    })
    expect(shortKey.json()).toMatchObject({
      code: 3,
      message: 'invalid preSharedKey.key: must be at least 16 bytes, got 15',
    })
    await initPsk(app)
    expect(app.state.psk?.key).toBe(PSK.key.slice(0, 16))
    const again = await call(app, 'POST', '/api/v1/initialize', { preSharedKey: PSK })
    expect(again.status).toBe(400)
    expect(again.json()).toMatchObject({
      code: 9,
      message: 'client application is already initialized',
    })
    const config = (await call(app, 'GET', '/.well-known/configuration')).json()
    expect(config).toMatchObject({ isInitialized: true, owner: OWNER })
    expect((await call(app, 'POST', '/api/v1/reset', {})).status).toBe(200)
    expect((await call(app, 'GET', '/.well-known/configuration')).json()).toMatchObject({
      isInitialized: false,
    })
    expect(app.requestLog.length).toBeGreaterThan(5)
    expect(app.requestLog.some((e) => e.bearer)).toBe(false)
  })

  it('streams each device when it answers: the fast one before the slow one, none slower than the timeout', async () => {
    const [fast, second] = makeDevices(2)
    const app = await startApp({
      devices: [
        fast!,
        { ...second!, multicast: ['IPV6'] },
        {
          id: 'aaaaaaaa-0000-4000-9000-00000000510e',
          answerAfterMs: 300,
          multicast: false,
          endpoints: ['coap://10.9.9.9:5683'],
        },
        { id: 'aaaaaaaa-0000-4000-9000-00000000dead', answerAfterMs: 5000 },
      ],
    })
    await initPsk(app)
    const run = await discoverTimed(
      app,
      'useMulticast=IPV4&useEndpoints=10.9.9.9:5683&timeout=800000000',
    )
    expect(run.status).toBe(200)
    const ids = run.chunks.flatMap((c) => c.ids)
    expect(ids).toEqual([fast!.id, 'aaaaaaaa-0000-4000-9000-00000000510e'])
    // Each device is its own chunk, written when it answers.
    expect(run.chunks).toHaveLength(2)
    // The slow device answers 300 ms after the request: the fast one is not held back for it,
    // and the stream ends with the last answer, before the 800 ms timeout.
    expect(run.chunks[1]!.at).toBeGreaterThanOrEqual(290)
    expect(run.chunks[1]!.at - run.chunks[0]!.at).toBeGreaterThan(150)
    expect(run.total).toBeLessThan(800)

    const v6 = results(
      await call(app, 'GET', '/api/v1/devices?use_multicast=IPV6&timeout=100000000'),
    )
    expect(v6.map((d) => d.id)).toEqual([fast!.id, second!.id])
    const nothing = await call(app, 'GET', '/api/v1/devices?timeout=100000000')
    expect(nothing.status).toBe(200)
    expect(nothing.text).toBe('')
  })

  it('filters discovery by ownership and type, and serves the cache until it is cleared', async () => {
    const [a, b] = makeDevices(2)
    const app = await startApp({
      devices: [a!, { ...b!, types: ['oic.d.sensor', 'oic.wk.d'], multicast: false }],
    })
    await initPsk(app)
    expect((await call(app, 'POST', `/api/v1/devices/${a!.id}/own`, {})).status).toBe(200)
    const owned = results(
      await call(
        app,
        'GET',
        `/api/v1/devices?useMulticast=IPV4&useEndpoints=10.0.0.1&OwnershipStatusFilter=OWNED`,
      ),
    )
    expect(owned.map((d) => [d.id, d.ownershipStatus])).toEqual([[a!.id, 'OWNED']])
    const sensors = results(
      await call(
        app,
        'GET',
        `/api/v1/devices?useMulticast=IPV4&useEndpoints=10.0.0.1&typeFilter=oic.d.sensor`,
      ),
    )
    expect(sensors.map((d) => d.id)).toEqual([b!.id])
    // b answers only unicast: with the cache it comes back from a multicast-only discovery.
    const cached = results(
      await call(app, 'GET', '/api/v1/devices?useMulticast=IPV4&useCache=true'),
    )
    expect(cached.map((d) => d.id).sort()).toEqual([a!.id, b!.id].sort())
    expect((await call(app, 'DELETE', '/api/v1/devices')).status).toBe(200)
    const afterClear = results(
      await call(app, 'GET', '/api/v1/devices?useMulticast=IPV4&useCache=true'),
    )
    expect(afterClear.map((d) => d.id)).toEqual([a!.id])
  })

  it('owns and disowns, and refuses what a device not owned by this app would refuse', async () => {
    const [mine, foreign] = makeDevices(2)
    const app = await startApp({
      devices: [mine!, { ...foreign!, ownershipStatus: 'OWNED', owner: 'someone-else' }],
    })
    await initPsk(app)
    const unknown = await call(app, 'GET', '/api/v1/devices/aaaaaaaa-0000-4000-9000-000000000404')
    expect(unknown.status).toBe(404)
    expect(unknown.json()).toMatchObject({ code: 5 })
    const notOwned = await call(app, 'PUT', `/api/v1/devices/${mine!.id}/resources/oic/con`, {
      n: 'x',
    })
    expect(notOwned.status).toBe(400)
    expect(notOwned.json()).toMatchObject({
      code: 9,
      message: expect.stringMatching(/is not owned: own it first/),
    })

    expect((await call(app, 'POST', `/api/v1/devices/${mine!.id}/own`, {})).json()).toEqual({})
    expect((await call(app, 'GET', `/api/v1/devices/${mine!.id}`)).json()).toMatchObject({
      id: mine!.id,
      ownershipStatus: 'OWNED',
      endpoints: mine!.endpoints,
    })
    const twice = await call(app, 'POST', `/api/v1/devices/${mine!.id}/own`, {})
    expect(twice.status).toBe(400)
    expect(twice.json()).toMatchObject({
      code: 9,
      message: expect.stringMatching(/already owned \(by this client application\)/),
    })
    const foreignOwn = await call(app, 'POST', `/api/v1/devices/${foreign!.id}/own`, {})
    expect(foreignOwn.json()).toMatchObject({
      code: 9,
      message: expect.stringMatching(/already owned \(by another owner\)/),
    })
    const foreignUpdate = await call(
      app,
      'PUT',
      `/api/v1/devices/${foreign!.id}/resources/light/1`,
      { state: true },
    )
    expect(foreignUpdate.status).toBe(403)
    expect(foreignUpdate.json()).toMatchObject({ code: 7 })

    const renamed = await call(app, 'PUT', `/api/v1/devices/${mine!.id}/resources/oic/con`, {
      n: 'bench light',
    })
    expect(renamed.status, renamed.text).toBe(200)
    expect(renamed.json()).toMatchObject({
      data: {
        resourceId: { deviceId: mine!.id, href: '/oic/con' },
        status: 'OK',
        content: { n: 'bench light' },
      },
    })
    expect(await readResource(app, mine!.id, '/oic/d')).toMatchObject({
      n: 'bench light',
      di: mine!.id,
    })
    expect(await readResource(app, mine!.id, '/plgd/dps')).toEqual({
      endpoint: '',
      lastErrorCode: 0,
      provisionStatus: 'uninitialized',
      forceReprovision: false,
    })
    const links = (await call(app, 'GET', `/api/v1/devices/${mine!.id}/resource-links`)).json<{
      resources: { href: string; resourceTypes: string[] }[]
    }>()
    expect(links.resources.map((r) => r.href)).toEqual(
      expect.arrayContaining(['/oic/d', '/plgd/dps', '/CoapCloudConfResURI']),
    )

    expect((await call(app, 'POST', `/api/v1/devices/${mine!.id}/disown`, {})).status).toBe(200)
    expect(app.view(mine!.id).ownershipStatus).toBe('UNOWNED')
    const disownAgain = await call(app, 'POST', `/api/v1/devices/${mine!.id}/disown`, {})
    expect(disownAgain.json()).toMatchObject({
      code: 9,
      message: expect.stringMatching(/not owned/),
    })
  })

  it("a device declared OWNED is the initialising owner's, and another owner's after a reset", async () => {
    const [device] = makeDevices(1, {}, 30)
    const app = await startApp({ devices: [{ ...device!, ownershipStatus: 'OWNED' }] })
    expect(app.view(device!.id)).toMatchObject({ ownershipStatus: 'OWNED', owner: '' })
    await initPsk(app)
    expect(app.view(device!.id).owner).toBe(OWNER)
    expect((await call(app, 'GET', `/api/v1/devices/${device!.id}/resources/light/1`)).status).toBe(
      200,
    )
    await call(app, 'POST', '/api/v1/reset', {})
    await call(app, 'POST', '/api/v1/initialize', {
      preSharedKey: { ...PSK, subjectId: OTHER_OWNER },
    })
    const foreign = await call(app, 'GET', `/api/v1/devices/${device!.id}/resources/light/1`)
    expect(foreign.status).toBe(403)
    expect(foreign.json()).toMatchObject({
      code: 7,
      message: expect.stringMatching(/owned by another client application \(owner 1\)/),
    })
  })

  it('onboards with a token the hub trusts: registered, ONLINE at the hub, then offboarded OFFLINE', async () => {
    const [device] = makeDevices(1, {}, 40)
    const app = await startApp({ devices: [device!] })
    await initPsk(app)
    await call(app, 'POST', `/api/v1/devices/${device!.id}/own`, {})
    const missing = await call(app, 'POST', `/api/v1/devices/${device!.id}/onboard`, {
      coapGatewayAddress: hub.coapGateway,
    })
    expect(missing.status).toBe(400)
    expect(missing.json()).toMatchObject({
      code: 3,
      message: expect.stringMatching(/invalid authorizationCode: cannot be empty/),
    })
    const onboard = await call(app, 'POST', `/api/v1/devices/${device!.id}/onboard`, {
      coapGatewayAddress: hub.coapGateway,
      authorizationCode: bearer,
      authorizationProviderName: 'plgd.dps',
      hubId: hub.hubId,
      certificateAuthorities: hub.caPem,
    })
    expect(onboard.status, onboard.text).toBe(200)
    const seen = await pollResource<{ cps: string; clec: number }>(
      app,
      device!.id,
      '/CoapCloudConfResURI',
      (c) => c.cps === 'registered' || c.cps === 'failed',
    )
    expect(seen.map((c) => c.cps)).toEqual(['readytoregister', 'registering', 'registered'])
    expect(seen.at(-1)).not.toHaveProperty('at')
    expect(app.view(device!.id).cloud.authorizationCode.claims).toMatchObject({
      'https://plgd.dev/owner': OWNER,
    })
    const atHub = await callHub('GET', `/api/v1/devices/${device!.id}`)
    expect(atHub.status, atHub.text).toBe(200)
    expect(atHub.json()).toMatchObject({ metadata: { connection: { status: 'ONLINE' } } })

    expect((await call(app, 'POST', `/api/v1/devices/${device!.id}/offboard`, {})).status).toBe(200)
    expect(await readResource(app, device!.id, '/CoapCloudConfResURI')).toEqual({
      apn: '',
      cis: '',
      sid: '',
      cps: 'uninitialized',
      clec: 0,
    })
    const offline = await callHub('GET', `/api/v1/devices/${device!.id}`)
    expect(offline.json()).toMatchObject({ metadata: { connection: { status: 'OFFLINE' } } })
  })

  it('fails onboarding with clec 4 for an untrusted token or provider, clec 2 for another coap-gateway', async () => {
    const devices = makeDevices(3, {}, 50)
    const app = await startApp({ devices })
    await initPsk(app)
    const { privateKey } = await generateKeyPair('ES256')
    const forged = await new SignJWT({ 'https://plgd.dev/owner': OWNER })
      .setProtectedHeader({ alg: 'ES256', kid: 'not-the-issuers-key' })
      .setIssuer(issuer.ready.issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey)
    const cases = [
      { code: forged, provider: 'plgd.dps', gateway: hub.coapGateway },
      { code: bearer, provider: 'no-such-provider', gateway: hub.coapGateway },
      { code: bearer, provider: 'plgd.dps', gateway: 'coaps+tcp://127.0.0.1:1' },
    ]
    for (const [i, c] of cases.entries()) {
      const id = devices[i]!.id
      await call(app, 'POST', `/api/v1/devices/${id}/own`, {})
      const res = await call(app, 'POST', `/api/v1/devices/${id}/onboard`, {
        coapGatewayAddress: c.gateway,
        authorizationCode: c.code,
        authorizationProviderName: c.provider,
        hubId: hub.hubId,
        certificateAuthorities: hub.caPem,
      })
      expect(res.status, res.text).toBe(200)
      await pollResource<{ cps: string }>(
        app,
        id,
        '/CoapCloudConfResURI',
        (x) => x.cps === 'failed',
      )
    }
    const [forgedView, providerView, gatewayView] = devices.map((d) => app.view(d.id))
    expect(forgedView!.cloud.clec).toBe(4)
    expect(forgedView!.onboardingReason).toMatch(
      /^coap-gateway \(sign-up\) refused the token: invalid token: .*not-the-issuers-key/,
    )
    expect(providerView!.cloud.clec).toBe(4)
    expect(providerView!.onboardingReason).toMatch(
      /unknown authorization provider 'no-such-provider'/,
    )
    expect(gatewayView!.cloud.clec).toBe(2)
    expect(gatewayView!.onboardingReason).toMatch(
      /cannot connect to coap-gateway coaps\+tcp:\/\/127\.0\.0\.1:1/,
    )
    expect((await callHub('GET', `/api/v1/devices/${devices[0]!.id}`)).status).toBe(404)
  })

  it("drives the hub's DPS provisioning record to provisioned through /plgd/dps, and fails elsewhere", async () => {
    await dpsSetUp()
    const [device, astray] = makeDevices(2, {}, 60)
    const app = await startApp({ devices: [device!, astray!] })
    await initPsk(app)
    for (const d of [device!, astray!]) await call(app, 'POST', `/api/v1/devices/${d.id}/own`, {})
    const put = await call(app, 'PUT', `/api/v1/devices/${device!.id}/resources/plgd/dps`, {
      endpoint: app.dpsDeviceEndpoint,
    })
    expect(put.status, put.text).toBe(200)
    const seen = await pollResource<{ provisionStatus: string; lastErrorCode: number }>(
      app,
      device!.id,
      '/plgd/dps',
      (c) => ['provisioned', 'failure', 'transient failure'].includes(c.provisionStatus),
    )
    expect(seen.at(-1)).toMatchObject({ provisionStatus: 'provisioned', lastErrorCode: 0 })
    expect(seen.map((c) => c.provisionStatus)).toContain('provisioning credentials')
    expect(hub.provisioningOf(device!.id)).toMatchObject({ done: true, failed: false })
    const atHub = await callHub('GET', `/api/v1/devices/${device!.id}`)
    expect(atHub.json()).toMatchObject({ metadata: { connection: { status: 'ONLINE' } } })

    await call(app, 'PUT', `/api/v1/devices/${astray!.id}/resources/plgd/dps`, {
      endpoint: 'coaps+tcp://127.0.0.1:1',
    })
    const astraySeen = await pollResource<{ provisionStatus: string; lastErrorCode: number }>(
      app,
      astray!.id,
      '/plgd/dps',
      (c) => c.provisionStatus === 'transient failure',
    )
    expect(astraySeen.at(-1)).toMatchObject({ lastErrorCode: 2 })
    expect(app.view(astray!.id).dpsReason).toMatch(/nothing listens there/)
    expect(hub.provisioningOf(astray!.id)).toBeUndefined()
    await callHub('DELETE', '/api/v1/enrollment-groups')
    await callHub('DELETE', '/api/v1/hubs')
  })

  it('reports a DPS step failure as failure with its error code, and the hub words in the view', async () => {
    await dpsSetUp('not-the-secret')
    const [device] = makeDevices(1, {}, 65)
    const app = await startApp({ devices: [{ ...device!, ownershipStatus: 'OWNED' }] })
    await initPsk(app)
    await call(app, 'PUT', `/api/v1/devices/${device!.id}/resources/plgd/dps`, {
      endpoint: app.dpsDeviceEndpoint,
    })
    const seen = await pollResource<{ provisionStatus: string; lastErrorCode: number }>(
      app,
      device!.id,
      '/plgd/dps',
      (c) => ['provisioned', 'failure', 'transient failure'].includes(c.provisionStatus),
    )
    expect(seen.at(-1)).toMatchObject({ provisionStatus: 'failure', lastErrorCode: 3 })
    expect(app.view(device!.id).dpsReason).toMatch(/^credentials: cannot get token: .*401/)
    // Emptying the endpoint stops it.
    await call(app, 'PUT', `/api/v1/devices/${device!.id}/resources/plgd/dps`, { endpoint: '' })
    expect(await readResource(app, device!.id, '/plgd/dps')).toMatchObject({
      provisionStatus: 'uninitialized',
      lastErrorCode: 0,
    })
    await callHub('DELETE', '/api/v1/enrollment-groups')
    await callHub('DELETE', '/api/v1/hubs')
  })
})

describe('client-application simulator, X509 mode with remote provisioning', () => {
  async function issuerJwks(): Promise<Record<string, unknown>> {
    const res = await httpRequest(issuer.ready.jwksUri, { ca: issuerCa })
    expect(res.status).toBe(200)
    return res.json()
  }

  /** The hub simulator's certificate-authority signs a CSR of a challenge with the bearer. */
  async function signChallenge(csrB64: string): Promise<string> {
    const res = await callHub('POST', '/api/v1/sign/identity-csr', {
      certificateSigningRequest: csrB64,
    })
    expect(res.status, res.text).toBe(200)
    return res.json<{ certificate: string }>().certificate
  }

  type Challenge = {
    identityCertificateChallenge: { certificateSigningRequest: string; state: string }
  }

  it('initialises with the JWKS and a CSR signed by the hub CA, then accepts only the owner', async () => {
    const app = await startApp({ mode: 'X509', devices: makeDevices(1, {}, 70) })
    const config = (await call(app, 'GET', '/.well-known/configuration')).json()
    expect(config).toMatchObject({
      deviceAuthenticationMode: 'X509',
      isInitialized: false,
      remoteProvisioning: {
        mode: 'USER_AGENT',
        id: hub.hubId,
        coapGateway: hub.coapGateway,
        authority: issuer.ready.issuer,
        certificateAuthority: hub.url,
        jwtOwnerClaim: 'https://plgd.dev/owner',
      },
    })
    const jwks = await issuerJwks()
    const noToken = await call(app, 'POST', '/api/v1/initialize', { jwks })
    expect(noToken.status).toBe(401)
    expect(noToken.json()).toMatchObject({
      code: 16,
      message: expect.stringMatching(/^cannot access to \/api\/v1\/initialize: invalid token/),
    })

    const first = (
      await call(app, 'POST', '/api/v1/initialize', { jwks }, bearer)
    ).json<Challenge>()
    const second = (
      await call(app, 'POST', '/api/v1/initialize', { jwks }, bearer)
    ).json<Challenge>()
    expect(
      Buffer.from(
        first.identityCertificateChallenge.certificateSigningRequest,
        'base64',
      ).toString(),
    ).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/)
    const secondCert = await signChallenge(
      second.identityCertificateChallenge.certificateSigningRequest,
    )
    const mismatched = await call(
      app,
      'POST',
      `/api/v1/initialize/${first.identityCertificateChallenge.state}`,
      { certificate: secondCert },
    )
    expect(mismatched.status).toBe(400)
    expect(mismatched.json()).toMatchObject({
      code: 3,
      message: expect.stringMatching(/does not carry the public key/),
    })
    const wrongState = await call(app, 'POST', '/api/v1/initialize/no-such-state', {
      certificate: secondCert,
    })
    expect(wrongState.status).toBe(404)

    const cert = await signChallenge(first.identityCertificateChallenge.certificateSigningRequest)
    const finish = await call(
      app,
      'POST',
      `/api/v1/initialize/${first.identityCertificateChallenge.state}`,
      {
        certificate: cert,
      },
    )
    expect(finish.status, finish.text).toBe(200)
    expect((await call(app, 'GET', '/.well-known/configuration')).json()).toMatchObject({
      isInitialized: true,
      owner: OWNER,
    })
    expect((await call(app, 'GET', '/.well-known/jwks.json')).json()).toEqual(jwks)

    const anonymous = await call(app, 'GET', '/api/v1/devices?useMulticast=IPV4&timeout=100000000')
    expect(anonymous.status).toBe(401)
    expect(anonymous.json()).toMatchObject({ code: 16 })
    const stranger = await call(
      app,
      'GET',
      '/api/v1/devices?useMulticast=IPV4&timeout=100000000',
      undefined,
      otherBearer,
    )
    expect(stranger.status).toBe(403)
    expect(stranger.json()).toMatchObject({
      code: 7,
      message: expect.stringMatching(/initialized by another owner/),
    })
    const owner = await call(
      app,
      'GET',
      '/api/v1/devices?useMulticast=IPV4&timeout=100000000',
      undefined,
      bearer,
    )
    expect(owner.status).toBe(200)
    expect(results(owner)).toHaveLength(1)
  })

  it('owns a device through a CSR round trip whose certificate must come from the hub CA', async () => {
    const [device] = makeDevices(1, {}, 80)
    const app = await startApp({ mode: 'X509', devices: [device!] })
    const jwks = await issuerJwks()
    const init = (await call(app, 'POST', '/api/v1/initialize', { jwks }, bearer)).json<Challenge>()
    const cert = await signChallenge(init.identityCertificateChallenge.certificateSigningRequest)
    await call(app, 'POST', `/api/v1/initialize/${init.identityCertificateChallenge.state}`, {
      certificate: cert,
    })

    const own = await call(app, 'POST', `/api/v1/devices/${device!.id}/own`, {}, bearer)
    expect(own.status, own.text).toBe(200)
    const challenge = own.json<Challenge>().identityCertificateChallenge
    expect(app.view(device!.id).ownershipStatus).toBe('UNOWNED')
    // The app's own identity chain comes from the right CA but carries another key.
    const wrong = await call(
      app,
      'POST',
      `/api/v1/devices/${device!.id}/own/${challenge.state}`,
      { certificate: cert },
      bearer,
    )
    expect(wrong.status).toBe(400)
    expect(wrong.json()).toMatchObject({
      code: 3,
      message: expect.stringMatching(/^cannot finish own device/),
    })
    const signed = await signChallenge(challenge.certificateSigningRequest)
    const finish = await call(
      app,
      'POST',
      `/api/v1/devices/${device!.id}/own/${challenge.state}`,
      { certificate: signed },
      bearer,
    )
    expect(finish.status, finish.text).toBe(200)
    expect(app.view(device!.id)).toMatchObject({ ownershipStatus: 'OWNED', owner: OWNER })
  })

  it('X509 without remote provisioning: initialised at once; expired, foreign-key and ownerless tokens refused', async () => {
    const app = await startApp({ mode: 'X509', remoteProvisioning: { mode: 'MODE_NONE' } })
    const { privateKey, publicKey } = await generateKeyPair('ES256')
    const jwks = {
      keys: [{ ...(await exportJWK(publicKey)), kid: 'bench-key', alg: 'ES256', use: 'sig' }],
    }
    const token = (
      claims: Record<string, unknown>,
      exp: string | number = '5m',
      kid = 'bench-key',
    ) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid })
        .setIssuedAt()
        .setExpirationTime(exp)
        .sign(privateKey)
    const ownerless = await call(
      app,
      'POST',
      '/api/v1/initialize',
      { jwks },
      await token({ sub: 'x' }),
    )
    expect(ownerless.status).toBe(401)
    expect(ownerless.json()).toMatchObject({
      code: 16,
      message:
        'cannot access to /api/v1/initialize: invalid token: claim https://plgd.dev/owner not present',
    })
    const expired = await call(
      app,
      'POST',
      '/api/v1/initialize',
      { jwks },
      await token({ 'https://plgd.dev/owner': 'tech' }, Math.floor(Date.now() / 1000) - 10),
    )
    expect(expired.json()).toMatchObject({
      code: 16,
      message: expect.stringMatching(/token is expired/),
    })
    const done = await call(
      app,
      'POST',
      '/api/v1/initialize',
      { jwks },
      await token({ 'https://plgd.dev/owner': 'tech' }),
    )
    expect(done.json()).toEqual({})
    expect(app.state).toMatchObject({ initialized: true, owner: 'tech' })
    const foreignKey = await call(
      app,
      'GET',
      '/api/v1/devices',
      undefined,
      await token({ 'https://plgd.dev/owner': 'tech' }, '5m', 'other-key'),
    )
    expect(foreignKey.status).toBe(401)
    expect(foreignKey.json()).toMatchObject({
      code: 16,
      message: expect.stringMatching(/^cannot access to \/api\/v1\/devices: invalid token: /),
    })
    // The issuer's token is signed by a key the pushed JWKS does not hold.
    expect((await call(app, 'GET', '/api/v1/devices', undefined, bearer)).status).toBe(401)
    const ok = await call(
      app,
      'GET',
      '/api/v1/devices',
      undefined,
      await token({ 'https://plgd.dev/owner': 'tech' }),
    )
    expect(ok.status).toBe(200)
  })
})

describe('client-application simulator as a process', () => {
  it('prints one JSON line, serves its hooks over HTTP and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['test/fixtures/client-app-simulator/main.mjs', '--devices', '2', '--tick-ms', '20'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve)
        child.once('exit', (code) => reject(new Error(`exited ${code}`)))
      })
      const ready = JSON.parse(line) as { url: string; mode: string; deviceIds: string[] }
      expect(ready).toMatchObject({
        mode: 'PRE_SHARED_KEY',
        deviceIds: makeDevices(2).map((d) => d.id),
      })
      const added = await httpRequest(`${ready.url}/_sim/devices`, {
        method: 'POST',
        body: JSON.stringify({ count: 1 }),
      })
      expect(added.json()).toEqual({ ids: [makeDevices(1, {}, 2)[0]!.id] })
      await httpRequest(`${ready.url}/api/v1/initialize`, {
        method: 'POST',
        body: JSON.stringify({ preSharedKey: PSK }),
      })
      const owned = await httpRequest(`${ready.url}/_sim/devices/${ready.deviceIds[0]}/ownership`, {
        method: 'POST',
        body: JSON.stringify({ ownershipStatus: 'OWNED' }),
      })
      expect(owned.json()).toMatchObject({ ownershipStatus: 'OWNED', owner: OWNER })
      const state = (await httpRequest(`${ready.url}/_sim/state`)).json<{
        initialized: boolean
        devices: unknown[]
      }>()
      expect(state.initialized).toBe(true)
      expect(state.devices).toHaveLength(3)
      const log = (await httpRequest(`${ready.url}/_sim/request-log`)).json<{
        entries: { path: string; bearer: boolean }[]
      }>()
      expect(log.entries).toEqual([
        expect.objectContaining({ path: '/api/v1/initialize', bearer: false }),
      ])
    } finally {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    }
  })
})
