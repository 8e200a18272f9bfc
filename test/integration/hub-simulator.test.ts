// @vitest-environment node
import 'reflect-metadata'
import { spawn } from 'node:child_process'
import { webcrypto } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Agent, request } from 'node:https'
import * as x509 from '@peculiar/x509'
import { SignJWT, generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startIssuer, type RunningIssuer } from '../../electron/issuer/issuer-runtime.js'
import {
  startHubSimulator,
  type AppliedConfiguration,
  type HubSimulator,
  type ProvisioningRecord,
} from '../fixtures/hub-simulator/index.mjs'
import { FixedClock, openTestApp, type TestApp } from '../helpers/fakes.js'
import { FORM, basicAuth, httpRequest, type HttpResponse } from '../helpers/cli.js'

/**
 * The hub simulator itself, against this app's real issuer on 127.0.0.1: it authenticates as a
 * hub does, validates DPS bodies by plgd's rules, provisions devices by fetching tokens from the
 * hub record's provider as DPS does, streams lists in chunks and moves applied configurations.
 */

const OWNER_CLAIM = 'https://plgd.dev/owner'
const OWNER = '1'

let t: TestApp
let issuer: RunningIssuer
let issuerCa: string
let sim: HubSimulator
let simAgent: Agent
let bearer: string
let dpsSecret: string

const dataUri = (text: string): string => `data:;base64,${Buffer.from(text).toString('base64')}`

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

function call(
  method: string,
  path: string,
  body?: unknown,
  token: string | null = bearer,
  base = sim.url,
): Promise<HttpResponse> {
  return httpRequest(`${base}${path}`, {
    method,
    agent: simAgent,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
}

/** The `{"result": …}` values of a stream body. */
function results<T = Record<string, unknown>>(res: HttpResponse): T[] {
  return res.text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { result: T }).result)
}

function hubBody(
  provider: Record<string, unknown> = {},
  authorization: Record<string, unknown> = {},
) {
  return {
    hubId: sim.hubId,
    name: 'simulated hub',
    gateways: ['127.0.0.1:5684'],
    certificateAuthority: {
      grpc: { address: '127.0.0.1:9100', tls: { caPool: [dataUri(sim.caPem)] } },
    },
    authorization: {
      ownerClaim: OWNER_CLAIM,
      deviceIdClaim: 'https://plgd.dev/deviceId',
      ...authorization,
      provider: {
        name: 'plgd.dps',
        authority: issuer.ready.issuer,
        clientId: 'dps',
        clientSecret: `data:,${encodeURIComponent(dpsSecret)}`,
        http: { timeout: '10000000000', tls: { caPool: [dataUri(issuerCa)] } },
        ...provider,
      },
    },
  }
}

async function createGroup(hubRecord: Record<string, unknown>): Promise<string> {
  const hub = await call('POST', '/api/v1/hubs', hubRecord)
  expect(hub.status, hub.text).toBe(200)
  const group = await call('POST', '/api/v1/enrollment-groups', {
    name: 'line 1',
    hubIds: [sim.hubId],
    attestationMechanism: { x509: { certificateChain: dataUri(sim.caPem) } },
    preSharedKey: `data:,${'k'.repeat(16)}`,
  })
  expect(group.status, group.text).toBe(200)
  return group.json<{ id: string }>().id
}

/** Polls the device's record until it finished or a step failed. */
async function settledRecord(deviceId: string): Promise<ProvisioningRecord> {
  for (let i = 0; i < 200; i++) {
    const res = await call('GET', `/api/v1/provisioning-records?deviceIdFilter=${deviceId}`)
    const [record] = results<ProvisioningRecord>(res)
    const steps = [record?.ownership, record?.credential, record?.acl, record?.cloud]
    const failed = steps.some((s) => s?.status.errorMessage) || record?.plgdTime?.errorMessage
    if (record && (record.plgdTime || failed)) return record
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`record of ${deviceId} never settled`)
}

beforeAll(async () => {
  t = await openTestApp({ clock: new FixedClock(Math.floor(Date.now() / 1000)) })
  issuer = await startIssuer(t.app, { listen: { host: '127.0.0.1', port: 0 } })
  issuerCa = readFileSync(issuer.ready.caCertFile ?? '', 'utf8')
  const consoleClient = t.app.clients.add({ id: 'console', owner: OWNER })
  dpsSecret = t.app.clients.add({ id: 'dps', owner: OWNER, allowDeviceId: true }).clientSecret ?? ''
  sim = await startHubSimulator({
    trustedAuthority: issuer.ready.issuer,
    trustedCaPem: issuerCa,
    tickMs: 20,
  })
  simAgent = new Agent({ ca: sim.caPem })
  bearer = await mint('console', consoleClient.clientSecret ?? '')
})

afterAll(async () => {
  await sim?.close()
  simAgent?.destroy()
  await issuer?.stop()
  t?.close()
})

describe('hub simulator', () => {
  it('publishes hub-configuration anonymously with its hub id, claims and service addresses', async () => {
    const res = await call('GET', '/.well-known/hub-configuration', undefined, null)
    expect(res.status).toBe(200)
    const doc = res.json<Record<string, unknown>>()
    expect(doc).toMatchObject({
      id: sim.hubId,
      jwtOwnerClaim: OWNER_CLAIM,
      authority: issuer.ready.issuer,
      certificateAuthorities: sim.caPem,
      ui: { deviceProvisioningService: sim.url, snippetService: `${sim.url}/snippet-service` },
    })
    expect(Math.abs(Number(doc.currentTime) / 1e6 - Date.now())).toBeLessThan(5000)
  })

  it('refuses calls without a valid bearer with plgd 401 bodies, and accepts our issuer', async () => {
    const none = await call('GET', '/api/v1/devices', undefined, null)
    expect(none.status).toBe(401)
    expect(none.json()).toEqual({
      code: 16,
      message: 'cannot access to /api/v1/devices: invalid token: missing authorization header',
      details: [],
    })
    const { privateKey } = await generateKeyPair('ES256')
    const stranger = await new SignJWT({ [OWNER_CLAIM]: OWNER })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer('https://elsewhere.example/m2m-oauth-server')
      .setExpirationTime('5m')
      .sign(privateKey)
    const foreign = await call('GET', '/api/v1/hubs', undefined, stranger)
    expect(foreign.status).toBe(401)
    expect(foreign.json()).toMatchObject({ code: 16, details: [] })
    expect(foreign.json<{ message: string }>().message).toMatch(
      /^cannot access to \/api\/v1\/hubs: invalid token: .*unknown issuer/,
    )
    const ok = await call('GET', '/api/v1/devices')
    expect(ok.status).toBe(200)
    const again = await call('GET', '/device-provisioning-service/api/v1/hubs')
    expect(again.status).toBe(200)
    expect(sim.authenticator.counters.discovery).toBe(1)
  })

  it('refuses a raw secret where DPS wants a URI scheme, with plgd message', async () => {
    const res = await call('POST', '/api/v1/hubs', hubBody({ clientSecret: 'raw-secret' }))
    expect(res.status).toBe(400)
    expect(res.json()).toMatchObject({ code: 3, details: [] })
    expect(res.json<{ message: string }>().message).toContain(
      "clientSecret('raw-secret') - open raw-secret: no such file or directory",
    )
    const pem = await call(
      'POST',
      '/api/v1/hubs',
      hubBody({ http: { tls: { caPool: [issuerCa] } } }),
    )
    expect(pem.status).toBe(400)
    expect(pem.json<{ message: string }>().message).toContain('caPool[0]')
    const missing = await call(
      'PUT',
      '/api/v1/hubs/8f0a4f4e-0000-4000-8000-000000000000',
      hubBody(),
    )
    expect(missing.status).toBe(404)
  })

  it('provisions a device to done with a correctly configured provider, then lists it ONLINE', async () => {
    const groupId = await createGroup(hubBody())
    sim.addDevices(['aaaaaaaa-0000-4000-8000-000000000001'], groupId)
    const record = await settledRecord('aaaaaaaa-0000-4000-8000-000000000001')
    for (const step of [record.ownership, record.credential, record.acl, record.cloud]) {
      expect(step?.status.errorMessage).toBeUndefined()
    }
    expect(record.plgdTime?.errorMessage).toBeUndefined()
    expect(record.cloud?.providerName).toBe('plgd.dps')
    const devices = results(
      await call('GET', '/api/v1/devices?deviceIdFilter=aaaaaaaa-0000-4000-8000-000000000001'),
    )
    expect(devices).toMatchObject([{ metadata: { connection: { status: 'ONLINE' } } }])

    // As DPS, the credentials step reuses the owner's token; the cloud step always asks afresh,
    // so a secret rotated under DPS's feet fails there.
    dpsSecret = t.app.clients.rotateSecret('dps', 0).clientSecret ?? ''
    sim.addDevices(['aaaaaaaa-0000-4000-8000-000000000006'], groupId)
    const stale = await settledRecord('aaaaaaaa-0000-4000-8000-000000000006')
    expect(stale.credential?.status.errorMessage).toBeUndefined()
    expect(stale.cloud?.status.errorMessage).toMatch(/^cannot get token: .*401 Unauthorized/)
    await call('DELETE', `/api/v1/enrollment-groups?idFilter=${groupId}`)
    await call('DELETE', '/api/v1/hubs')
  })

  it('fails the credentials step when the provider holds a wrong client secret', async () => {
    const groupId = await createGroup(hubBody({ clientSecret: 'data:,not-the-secret' }))
    sim.addDevices(['aaaaaaaa-0000-4000-8000-000000000002'], groupId)
    const record = await settledRecord('aaaaaaaa-0000-4000-8000-000000000002')
    expect(record.ownership?.status.errorMessage).toBeUndefined()
    expect(record.credential?.status.coapCode).toBe(129)
    expect(record.credential?.status.errorMessage).toMatch(/^cannot get token: .*401/)
    expect(record.cloud).toBeUndefined()
    await call('DELETE', `/api/v1/enrollment-groups?idFilter=${groupId}`)
    await call('DELETE', '/api/v1/hubs')
  })

  it('fails on an owner mismatch: the token does not carry the group owner in the hub record claim', async () => {
    const groupId = await createGroup(hubBody({}, { ownerClaim: 'owner', deviceIdClaim: '' }))
    sim.addDevices(['aaaaaaaa-0000-4000-8000-000000000003'], groupId)
    const record = await settledRecord('aaaaaaaa-0000-4000-8000-000000000003')
    expect(record.credential?.status.errorMessage).toMatch(
      /^invalid owner claim: .*owner=null.*"1"/,
    )
    await call('DELETE', `/api/v1/enrollment-groups?idFilter=${groupId}`)
    await call('DELETE', '/api/v1/hubs')
  })

  it('fails the credentials step when the provider caPool does not hold the issuer CA', async () => {
    const groupId = await createGroup(hubBody({ http: { tls: { caPool: [dataUri(sim.caPem)] } } }))
    sim.addDevices(['aaaaaaaa-0000-4000-8000-000000000004'], groupId)
    const record = await settledRecord('aaaaaaaa-0000-4000-8000-000000000004')
    expect(record.credential?.status.coapCode).toBe(163)
    expect(record.credential?.status.errorMessage).toMatch(
      /^cannot get token: cannot get openid configuration: Get "https:\/\/127\.0\.0\.1:\d+\/m2m-oauth-server\/\.well-known\/openid-configuration": /,
    )
    await call('DELETE', `/api/v1/enrollment-groups?idFilter=${groupId}`)
    await call('DELETE', '/api/v1/hubs')
  })

  it('fails when the hub does not trust the issuer DPS gets its token from', async () => {
    const other = await openTestApp({ clock: new FixedClock(Math.floor(Date.now() / 1000)) })
    const running = await startIssuer(other.app, { listen: { host: '127.0.0.1', port: 0 } })
    try {
      const ca = readFileSync(running.ready.caCertFile ?? '', 'utf8')
      const secret = other.app.clients.add({ id: 'dps', owner: OWNER }).clientSecret ?? ''
      const groupId = await createGroup(
        hubBody({
          authority: running.ready.issuer,
          clientSecret: `data:,${encodeURIComponent(secret)}`,
          http: { tls: { caPool: [dataUri(ca)] } },
        }),
      )
      sim.addDevices(['aaaaaaaa-0000-4000-8000-000000000005'], groupId)
      const record = await settledRecord('aaaaaaaa-0000-4000-8000-000000000005')
      expect(record.credential?.status.coapCode).toBe(129)
      expect(record.credential?.status.errorMessage).toMatch(
        /^certificate-authority \(SignIdentityCertificate\) refused the token: invalid token: .*unknown issuer/,
      )
      await call('DELETE', `/api/v1/enrollment-groups?idFilter=${groupId}`)
      await call('DELETE', '/api/v1/hubs')
    } finally {
      await running.stop()
      other.close()
    }
  })

  it('streams device lists one result per chunk', async () => {
    sim.fabricate(3000, OWNER)
    const chunks = await new Promise<string[]>((resolve, reject) => {
      const got: string[] = []
      request(
        `${sim.url}/api/v1/devices`,
        { agent: simAgent, headers: { authorization: `Bearer ${bearer}` } },
        (res) => {
          res.setEncoding('utf8')
          res.on('data', (c: string) => got.push(c))
          res.on('end', () => resolve(got))
          res.on('error', reject)
        },
      )
        .on('error', reject)
        .end()
    })
    expect(chunks.length).toBeGreaterThan(1)
    const lines = chunks.join('').split('\n').filter(Boolean)
    expect(lines.length).toBeGreaterThanOrEqual(3000)
    expect(JSON.parse(lines[0] ?? '')).toHaveProperty('result.id')
  })

  it('moves applied configurations QUEUED → PENDING → DONE, or TIMEOUT for slow devices', async () => {
    const [fast, slow] = sim.fabricate(2, OWNER)
    sim.setSlow([slow ?? ''])
    const content = {
      contentType: 'application/json',
      coapContentFormat: 50,
      data: 'eyJwb3dlciI6NDJ9',
    }
    const wrongOwner = await httpRequest(`${sim.snippetUrl}/api/v1/configurations`, {
      method: 'POST',
      agent: simAgent,
      headers: { authorization: `Bearer ${bearer}` },
      body: JSON.stringify({ owner: '2', resources: [{ href: '/light/1', content }] }),
    })
    expect(wrongOwner.status).toBe(403)
    expect(wrongOwner.json()).toMatchObject({ code: 7 })
    const notBase64 = await call('POST', '/snippet-service/api/v1/configurations', {
      resources: [{ href: '/light/1', content: { ...content, data: '{"power":42}' } }],
    })
    expect(notBase64.status).toBe(400)
    const created = await call('POST', '/snippet-service/api/v1/configurations', {
      name: 'power 42',
      resources: [{ href: '/light/1', content, timeToLive: '60000000000' }],
    })
    expect(created.status, created.text).toBe(200)
    const config = created.json<{ id: string; version: string }>()
    expect(config.version).toBe('0')
    sim.pause()
    for (const deviceId of [fast, slow]) {
      const res = await call('POST', `/snippet-service/api/v1/configurations/${config.id}`, {
        deviceId,
        force: true,
      })
      expect(res.status, res.text).toBe(200)
      expect(res.json()).toHaveProperty('appliedConfigurationId')
    }
    const statuses = async (): Promise<Record<string, string | undefined>> => {
      const applied = results<AppliedConfiguration>(
        await call(
          'GET',
          `/snippet-service/api/v1/configurations/applied?httpConfigurationIdFilter=${config.id}/all`,
        ),
      )
      return Object.fromEntries(applied.map((a) => [a.deviceId, a.resources[0]?.status]))
    }
    try {
      expect(await statuses()).toEqual({ [fast ?? '']: 'QUEUED', [slow ?? '']: 'QUEUED' })
      sim.tick()
      expect(await statuses()).toEqual({ [fast ?? '']: 'PENDING', [slow ?? '']: 'PENDING' })
      sim.tick()
      expect(await statuses()).toEqual({ [fast ?? '']: 'DONE', [slow ?? '']: 'TIMEOUT' })
    } finally {
      sim.pause(false)
    }
    expect(sim.requestLog.maxInFlight).toBeGreaterThanOrEqual(1)
  })

  it('validates enrollment groups by plgd rules and updates them with an unwrapped body', async () => {
    const base = {
      hubIds: [sim.hubId],
      attestationMechanism: { x509: { certificateChain: dataUri(sim.caPem) } },
    }
    const shortPsk = await call('POST', '/api/v1/enrollment-groups', {
      ...base,
      preSharedKey: 'data:,short',
    })
    expect(shortPsk.status).toBe(400)
    expect(shortPsk.json<{ message: string }>().message).toContain('at least 16 bytes')
    const badHub = await call('POST', '/api/v1/enrollment-groups', { ...base, hubIds: ['hub-1'] })
    expect(badHub.json<{ message: string }>().message).toContain("hubIds('hub-1')")
    const rawPem = await call('POST', '/api/v1/enrollment-groups', {
      ...base,
      attestationMechanism: { x509: { certificateChain: sim.caPem } },
    })
    expect(rawPem.status).toBe(400)
    expect(rawPem.json<{ message: string }>().message).toContain('no such file or directory')
    const created = await call('POST', '/api/v1/enrollment-groups', { ...base, name: 'a' })
    const group = created.json<{ id: string; owner: string; name: string }>()
    expect(group.owner).toBe(OWNER)
    const updated = await call('PUT', `/api/v1/enrollment-groups/${group.id}`, {
      ...base,
      name: 'b',
    })
    expect(updated.json()).toMatchObject({ id: group.id, name: 'b', owner: OWNER })
    const gone = await call('DELETE', `/api/v1/enrollment-groups?idFilter=${group.id}`)
    expect(gone.json()).toEqual({ count: '1' })
    const none = await call('DELETE', `/api/v1/enrollment-groups?idFilter=${group.id}`)
    expect(none.status).toBe(400)
  })

  it('serves one device, its resource links, a resource update and removal', async () => {
    const [id] = sim.fabricate(1, OWNER)
    const device = await call('GET', `/api/v1/devices/${id}`)
    expect(device.json()).toMatchObject({ id, metadata: { connection: { status: 'ONLINE' } } })
    const links = results<{ resources: { href: string }[] }>(
      await call('GET', `/api/v1/devices/${id}/resource-links`),
    )
    expect(links[0]?.resources.map((r) => r.href)).toContain('/light/1')
    const put = await call('PUT', `/api/v1/devices/${id}/resources/light/1`, { power: 7 })
    expect(put.json()).toMatchObject({ data: { resourceId: { deviceId: id, href: '/light/1' } } })
    expect(sim.state.resources.get(`${id} /light/1`)).toEqual({ power: 7 })
    const otherOwner = sim.fabricate(1, '2')[0]
    expect((await call('GET', `/api/v1/devices/${otherOwner}`)).status).toBe(404)
    expect((await call('DELETE', `/api/v1/devices/${id}`)).json()).toEqual({ deviceIds: [id] })
    expect((await call('GET', `/api/v1/devices/${id}`)).json()).toMatchObject({ code: 5 })
  })

  it('keeps conditions versioned and scoped to the owner', async () => {
    const configurationId = '11111111-2222-4333-8444-555555555555'
    const created = await call('POST', '/snippet-service/api/v1/conditions', {
      name: 'on publish',
      enabled: true,
      configurationId,
      deviceIdFilter: ['d1'],
      apiAccessToken: 'tok',
    })
    expect(created.status, created.text).toBe(200)
    const condition = created.json<{ id: string; version: string }>()
    const updated = await call('PUT', `/snippet-service/api/v1/conditions/${condition.id}`, {
      name: 'on publish 2',
      configurationId,
    })
    expect(updated.json()).toMatchObject({ version: '1', name: 'on publish 2' })
    const all = results(
      await call('GET', `/snippet-service/api/v1/conditions?httpIdFilter=${condition.id}/all`),
    )
    expect(all).toHaveLength(2)
    const bad = await call('POST', '/snippet-service/api/v1/conditions', { configurationId: 'x' })
    expect(bad.json()).toMatchObject({ code: 3 })
    const removed = await call(
      'DELETE',
      `/snippet-service/api/v1/conditions?httpIdFilter=${condition.id}`,
    )
    expect(removed.json()).toEqual({ success: true })
  })

  it('serves DPS and snippet-service on their own ports when asked, as real hubs do', async () => {
    const split = await startHubSimulator({
      trustedAuthority: issuer.ready.issuer,
      trustedCaPem: issuerCa,
      ports: { dps: 0, snippet: 0 },
    })
    try {
      const agent = new Agent({ ca: split.caPem })
      const get = (url: string) =>
        httpRequest(url, { agent, headers: { authorization: `Bearer ${bearer}` } })
      expect(split.dpsUrl).not.toBe(split.url)
      expect((await get(`${split.dpsUrl}/api/v1/hubs`)).status).toBe(200)
      expect((await get(`${split.snippetUrl}/api/v1/configurations`)).status).toBe(200)
      expect((await get(`${split.url}/api/v1/hubs`)).status).toBe(401)
      agent.destroy()
    } finally {
      await split.close()
    }
  })

  it('refuses a token without the owner claim as each service does', async () => {
    const other = await startHubSimulator({
      trustedAuthority: issuer.ready.issuer,
      trustedCaPem: issuerCa,
      ownerClaim: 'https://other.example/owner',
    })
    try {
      const agent = new Agent({ ca: other.caPem })
      const get = (path: string) =>
        httpRequest(`${other.url}${path}`, {
          agent,
          headers: { authorization: `Bearer ${bearer}` },
        })
      const dps = await get('/api/v1/hubs')
      expect(dps.status).toBe(401)
      expect(dps.json()).toMatchObject({ code: 16 })
      expect(dps.json<{ message: string }>().message).toMatch(/^cannot get owner/)
      const snippets = await get('/snippet-service/api/v1/configurations')
      expect(snippets.status).toBe(403)
      expect(snippets.json()).toMatchObject({ code: 7 })
      agent.destroy()
    } finally {
      await other.close()
    }
  })

  it('verifies token trust at an issuer that advertises plgd_tokens_endpoint', async () => {
    const station = await openTestApp({ clock: new FixedClock(Math.floor(Date.now() / 1000)) })
    const running = await startIssuer(station.app, {
      listen: { host: '127.0.0.1', port: 0 },
      station: true,
    })
    const ca = readFileSync(running.ready.caCertFile ?? '', 'utf8')
    const strict = await startHubSimulator({
      trustedAuthority: running.ready.issuer,
      trustedCaPem: ca,
      tokenTrustCacheMs: 0,
    })
    const agent = new Agent({ ca: strict.caPem })
    try {
      const secret = station.app.clients.add({ id: 'console', owner: OWNER }).clientSecret ?? ''
      const res = await httpRequest(running.ready.tokenEndpoint, {
        method: 'POST',
        ca,
        headers: { 'content-type': FORM, authorization: basicAuth('console', secret) },
        body: 'grant_type=client_credentials',
      })
      const token = res.json<{ access_token: string }>().access_token
      station.app.ledger.flush()
      const get = () =>
        httpRequest(`${strict.url}/api/v1/hubs`, {
          agent,
          headers: { authorization: `Bearer ${token}` },
        })
      expect((await get()).status).toBe(200)
      expect(strict.authenticator.counters.trust).toBe(1)
      const { jti } = JSON.parse(
        Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
      ) as { jti: string }
      station.app.ledger.blacklistForOwner(OWNER, [jti], Math.floor(Date.now() / 1000))
      const refused = await get()
      expect(refused.status).toBe(401)
      expect(refused.json<{ message: string }>().message).toContain('token is blacklisted')
    } finally {
      agent.destroy()
      await strict.close()
      await running.stop()
      station.close()
    }
  })

  it('runs as a process for e2e tests and the bench, with its hooks over HTTP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-sim-'))
    const caFile = join(dir, 'issuer-ca.pem')
    writeFileSync(caFile, issuerCa)
    const child = spawn(
      process.execPath,
      [
        'test/fixtures/hub-simulator/main.mjs',
        '--authority',
        issuer.ready.issuer,
        '--ca',
        caFile,
        '--tick-ms',
        '20',
        '--coap-gateway',
        'coaps+tcp://127.0.0.1:25684',
        '--coap-gateway-provider',
        'bench',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve)
        child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)))
      })
      const ready = JSON.parse(line) as {
        url: string
        caPem: string
        hubId: string
        coapGateway: string
      }
      expect(ready.coapGateway).toBe('coaps+tcp://127.0.0.1:25684')
      const agent = new Agent({ ca: ready.caPem })
      const made = await httpRequest(`${ready.url}/_sim/devices/fabricate`, {
        method: 'POST',
        agent,
        body: JSON.stringify({ count: 3, owner: OWNER }),
      })
      expect(made.json<{ ids: string[] }>().ids).toHaveLength(3)
      const listed = await httpRequest(`${ready.url}/api/v1/devices`, {
        agent,
        headers: { authorization: `Bearer ${bearer}` },
      })
      expect(results(listed)).toHaveLength(3)
      const log = await httpRequest(`${ready.url}/_sim/request-log`, { agent })
      expect(log.json()).toMatchObject({ total: 2, maxInFlight: 1 })
      const signUp = (providerName: string) =>
        httpRequest(`${ready.url}/_sim/onboard`, {
          method: 'POST',
          agent,
          body: JSON.stringify({
            deviceId: 'aaaaaaaa-0000-4000-8000-0000000000e1',
            token: bearer,
            providerName,
            coapGateway: ready.coapGateway,
            hubId: ready.hubId,
          }),
        }).then((r) => r.json())
      expect(await signUp('plgd.dps')).toMatchObject({ ok: false, clec: 4 })
      expect(await signUp('bench')).toEqual({ ok: true, owner: OWNER })
      agent.destroy()
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("answers with plgd's JSON marshaller: empties dropped and content decoded, unless protojson", async () => {
    const content = {
      contentType: 'application/json',
      coapContentFormat: 50,
      data: Buffer.from('{"power":3}').toString('base64'),
    }
    const created = await call('POST', '/snippet-service/api/v1/configurations', {
      resources: [{ href: '/light/1', content }],
    })
    const { id } = created.json<{ id: string }>()
    expect(created.json()).not.toHaveProperty('name')
    expect(created.json()).toMatchObject({
      resources: [{ href: '/light/1', content: { power: 3 } }],
    })
    const proto = await httpRequest(`${sim.snippetUrl}/api/v1/configurations?httpIdFilter=${id}`, {
      agent: simAgent,
      headers: { authorization: `Bearer ${bearer}`, accept: 'application/protojson' },
    })
    expect(proto.headers['content-type']).toBe('application/jsonpb')
    expect(results(proto)).toMatchObject([{ id, name: '', resources: [{ content }] }])
  })

  it('signs identity CSRs with its CA for an authenticated owner, as the certificate-authority does', async () => {
    x509.cryptoProvider.set(webcrypto as unknown as Crypto)
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])
    const csrOf = async (cn: string) => {
      const csr = await x509.Pkcs10CertificateRequestGenerator.create({
        name: `CN=${cn}`,
        keys,
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      })
      return { certificateSigningRequest: Buffer.from(csr.toString('pem')).toString('base64') }
    }
    const good = await csrOf('uuid:aaaaaaaa-0000-4000-8000-0000000000c5')
    const anonymous = await call('POST', '/api/v1/sign/identity-csr', good, null)
    expect(anonymous.status).toBe(401)
    expect(anonymous.json()).toMatchObject({ code: 16 })
    const badName = await call('POST', '/api/v1/sign/identity-csr', await csrOf('device-1'))
    expect(badName.status).toBe(400)
    expect(badName.json()).toMatchObject({
      code: 3,
      message:
        "cannot sign identity certificate: invalid common name('device-1'): expected uuid:<UUID>",
    })
    for (const path of [
      '/api/v1/sign/identity-csr',
      '/certificate-authority/api/v1/sign/identity-csr',
    ]) {
      const res = await call('POST', path, good)
      expect(res.status, res.text).toBe(200)
      const pem = Buffer.from(res.json<{ certificate: string }>().certificate, 'base64').toString()
      const [leafPem, caPem] =
        pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
      const leaf = new x509.X509Certificate(leafPem!)
      const ca = new x509.X509Certificate(sim.caPem)
      expect(new x509.X509Certificate(caPem!).subject).toBe(ca.subject)
      expect(leaf.subject).toBe('CN=uuid:aaaaaaaa-0000-4000-8000-0000000000c5')
      expect(await leaf.verify({ publicKey: ca.publicKey, signatureOnly: true })).toBe(true)
      expect(Buffer.from(leaf.publicKey.rawData)).toEqual(
        Buffer.from(await webcrypto.subtle.exportKey('spki', keys.publicKey)),
      )
      const eku = leaf.getExtension(x509.ExtendedKeyUsageExtension)
      expect(eku?.usages).toContain('1.3.6.1.4.1.44924.1.6')
    }
  })

  it('signs devices up as coap-gateway does, takes them offline, and reports provisioning progress', async () => {
    const deviceId = 'aaaaaaaa-0000-4000-8000-0000000000d1'
    const signUp = (overrides: Record<string, unknown>) =>
      call(
        'POST',
        '/_sim/onboard',
        {
          deviceId,
          token: bearer,
          providerName: 'plgd.dps',
          coapGateway: sim.coapGateway,
          hubId: sim.hubId,
          ...overrides,
        },
        null,
      ).then((r) => r.json<{ ok: boolean; clec?: number; reason?: string }>())
    expect(await signUp({ hubId: 'aaaaaaaa-0000-4000-8000-00000000ffff' })).toMatchObject({
      ok: false,
      clec: 2,
      reason: expect.stringMatching(/^TLS handshake with coap-gateway failed/),
    })
    expect(await signUp({ providerName: 'google' })).toMatchObject({
      ok: false,
      clec: 4,
      reason: expect.stringMatching(/unknown authorization provider 'google'/),
    })
    expect(await signUp({ token: 'not.a.jwt' })).toMatchObject({
      ok: false,
      clec: 4,
      reason: expect.stringMatching(/^coap-gateway \(sign-up\) refused the token: invalid token/),
    })
    expect((await call('GET', `/api/v1/devices/${deviceId}`)).status).toBe(404)
    expect(await signUp({})).toEqual({ ok: true, owner: OWNER })
    expect((await call('GET', `/api/v1/devices/${deviceId}`)).json()).toMatchObject({
      metadata: { connection: { status: 'ONLINE' } },
    })
    await call('POST', '/_sim/offboard', { deviceId }, null)
    expect((await call('GET', `/api/v1/devices/${deviceId}`)).json()).toMatchObject({
      metadata: { connection: { status: 'OFFLINE' } },
    })
    await call('DELETE', `/api/v1/devices/${deviceId}`)

    const none = await call(
      'GET',
      '/_sim/provisioning/aaaaaaaa-0000-4000-8000-0000000000d2',
      undefined,
      null,
    )
    expect(none.status).toBe(404)
    expect(none.json()).toMatchObject({ code: 5 })
    const goodGroup = await createGroup(hubBody())
    sim.addDevices(['aaaaaaaa-0000-4000-8000-0000000000d2'], goodGroup)
    await settledRecord('aaaaaaaa-0000-4000-8000-0000000000d2')
    const done = await call(
      'GET',
      '/_sim/provisioning/aaaaaaaa-0000-4000-8000-0000000000d2',
      undefined,
      null,
    )
    expect(done.json()).toMatchObject({ step: 'done', done: true, failed: false })
    await call('DELETE', `/api/v1/enrollment-groups?idFilter=${goodGroup}`)
    await call('DELETE', '/api/v1/hubs')
    const badGroup = await createGroup(hubBody({ clientSecret: 'data:,not-the-secret' }))
    sim.addDevices(['aaaaaaaa-0000-4000-8000-0000000000d3'], badGroup)
    await settledRecord('aaaaaaaa-0000-4000-8000-0000000000d3')
    expect(sim.provisioningOf('aaaaaaaa-0000-4000-8000-0000000000d3')).toMatchObject({
      failed: true,
      failedStep: 'credentials',
      coapCode: 129,
      errorMessage: expect.stringMatching(/^cannot get token: .*401/),
    })
    await call('DELETE', `/api/v1/enrollment-groups?idFilter=${badGroup}`)
    await call('DELETE', '/api/v1/hubs')
  })
})
