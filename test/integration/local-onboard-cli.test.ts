// @vitest-environment node
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDispatcher, type Dispatch } from '../../electron/api/dispatcher.js'
import { runCommandLine } from '../../electron/headless/cli.js'
import { ReportedError } from '../../electron/headless/operation.js'
import { startIssuer, type RunningIssuer } from '../../electron/issuer/issuer-runtime.js'
import {
  makeDevices,
  startClientAppSimulator,
  type ClientAppSimulator,
} from '../fixtures/client-app-simulator/index.mjs'
import { startHubSimulator, type HubSimulator } from '../fixtures/hub-simulator/index.mjs'
import { FixedClock, openTestApp, type TestApp } from '../helpers/fakes.js'
import { jsonLines, makeTempDir, removeTempDirs } from '../helpers/cli.js'

/**
 * `local point-at-dps` and `local onboard` through the CLI, against a real issuer on 127.0.0.1,
 * the hub simulator (its DPS set up by `dps setup` with this issuer as the authority it trusts)
 * and the client-application simulator, whose devices reach the hub simulator: a device pointed
 * at DPS provisions only when the DPS records really work, and a device onboarded directly
 * registers only when coap-gateway's provider accepts the token this issuer minted.
 */

let t: TestApp
let issuer: RunningIssuer
let hub: HubSimulator
let app: ClientAppSimulator
let dispatch: Dispatch
let ids: string[]

interface Line {
  key?: string
  state?: string
  message?: string | null
  deviceStatus?: string | null
  dpsSteps?: { step: string; state: string }[]
  token?: { jti: string; expiresAt: number }
  failedAt?: string
  snippet?: string
  summary?: { done: number; failed: number }
}

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await runCommandLine([...argv, '--json'], {
    io: { out: (s) => void (stdout += s), err: (s) => void (stderr += s) },
    operation: async (_globals, method, input) => {
      const reply = await dispatch(method, input)
      if (!reply.ok) throw new ReportedError(reply.error)
      return reply.value
    },
  })
  return { code, stdout, stderr }
}

async function local(...argv: string[]): Promise<{ code: number; lines: Line[]; stderr: string }> {
  const run = await cli('local', ...argv, '--client-app', app.url)
  return { code: run.code, lines: jsonLines(run.stdout) as Line[], stderr: run.stderr }
}

const finalOf = (lines: Line[], key: string): Line | undefined =>
  lines.filter((l) => l.key === key && l.state !== 'running' && l.state !== 'pending').at(-1)

const devices = (...keys: string[]): string[] => keys.flatMap((k) => ['--device', k])

beforeAll(async () => {
  const dir = makeTempDir()
  t = await openTestApp({ clock: new FixedClock(Math.floor(Date.now() / 1000)) })
  issuer = await startIssuer(t.app, { listen: { host: '127.0.0.1', port: 0 } })
  const issuerCa = readFileSync(issuer.ready.caCertFile ?? '', 'utf8')
  t.app.clients.add({ id: 'console', owner: '1' })
  // The client coap-gateway's provider exchanges tokens of: it mints for the device owner.
  t.app.clients.add({ id: 'coap-gw', owner: '1', allowDeviceId: true, maxLifetimeSeconds: 1800 })
  t.app.clients.add({ id: 'owner-9', owner: '9' })
  hub = await startHubSimulator({
    trustedAuthority: issuer.ready.issuer,
    trustedCaPem: issuerCa,
    tickMs: 20,
  })
  dispatch = createDispatcher(t.app, 'cli')
  const added = await dispatch('hubs.add', {
    name: 'lab',
    url: hub.url,
    caPem: hub.caPem,
    auth: { kind: 'client', clientId: 'console' },
  })
  expect(added.ok, JSON.stringify(added)).toBe(true)
  // DPS as `dps setup` leaves it: a hub record whose provider is this issuer, a group of owner 1.
  const chain = join(dir, 'mfg-chain.pem')
  writeFileSync(chain, hub.caPem)
  const setup = await cli(
    'dps',
    'setup',
    '--hub',
    'lab',
    '--client',
    'dps',
    '--owner',
    '1',
    '--group',
    'bench',
    '--certificate-chain',
    chain,
  )
  expect(setup.code, setup.stderr).toBe(0)
  const profile = (added as { value: { dpsDeviceEndpoint: string | null } }).value
  app = await startClientAppSimulator({
    devices: makeDevices(8),
    hub: {
      simUrl: hub.url,
      caPem: hub.caPem,
      dpsDeviceEndpoint: profile.dpsDeviceEndpoint ?? undefined,
    },
    tickMs: 20,
  })
  ids = [...app.state.devices.keys()]
  const init = await local('init', '--owner', '1')
  expect(init.code, init.stderr).toBe(0)
  const own = await local('own', ...devices(...ids.slice(0, 7)))
  expect(own.code, own.stderr).toBe(0)
}, 60_000)

afterAll(async () => {
  await app?.close()
  await hub?.close()
  await issuer?.stop()
  t?.close()
  removeTempDirs()
})

describe('local point-at-dps', () => {
  it('writes the DPS address and follows device and DPS until both say provisioned', async () => {
    const [a, b] = ids as [string, string]
    const { code, lines, stderr } = await local(
      'point-at-dps',
      '--hub',
      'lab',
      '--client',
      'dps',
      // Positional ids, as the synopsis has them (`local point-at-dps ID...`).
      a,
      b,
      '--timeout',
      '60',
    )
    expect(code, stderr + JSON.stringify(lines)).toBe(0)
    expect(lines.at(-1)?.summary).toEqual({ done: 2, failed: 0 })
    for (const id of [a, b]) {
      const final = finalOf(lines, id)!
      expect(final.deviceStatus).toBe('provisioned')
      expect(final.dpsSteps?.map((s) => s.state)).toEqual(Array(5).fill('done'))
      expect(app.view(id).dps.endpoint).toBe(
        hub.url.replace(/^https:\/\/([^:/]+).*$/, 'coaps+tcp://$1:15684'),
      )
    }
    // Progress came as it went, not only the end.
    expect(lines.filter((l) => l.key === a && l.state === 'running').length).toBeGreaterThan(0)
  }, 60_000)

  it('an unowned device fails at the device: own it first', async () => {
    const unowned = ids[7]!
    const { code, lines } = await local('point-at-dps', '--hub', 'lab', ...devices(unowned))
    expect(code).toBe(1)
    const final = finalOf(lines, unowned)!
    expect(final).toMatchObject({ state: 'failed', failedAt: 'device' })
    expect(final.message).toContain(`own it first: \`local own ${unowned}\``)
    expect(lines.at(-1)?.summary).toEqual({ done: 0, failed: 1 })
  })
})

describe('local point-at-dps as a job', () => {
  it('is cancelled while DPS is stalled, then resumed to provisioned', async () => {
    hub.pause(true)
    const id = ids[6]!
    try {
      const started = await dispatch('local.pointAtDps', {
        clientAppUrl: app.url,
        hub: 'lab',
        clientId: 'dps',
        deviceIds: [id],
        timeoutSeconds: 60,
      })
      expect(started.ok, JSON.stringify(started)).toBe(true)
      const jobId = (started as { value: { jobId: string } }).value.jobId
      // The device was written and is waiting on DPS.
      await expect.poll(() => app.view(id).dps.endpoint, { timeout: 10_000 }).not.toBe('')
      const cancelled = await dispatch('jobs.cancel', { id: jobId })
      expect(cancelled).toMatchObject({ ok: true, value: { state: 'cancelled' } })
      hub.pause(false)
      const resumed = await cli('jobs', 'resume', jobId)
      expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0)
      const lines = jsonLines(resumed.stdout) as Line[]
      expect(lines.at(-1)?.summary).toEqual({ done: 1, failed: 0 })
      expect(finalOf(lines, id)?.deviceStatus).toBe('provisioned')
    } finally {
      hub.pause(false)
    }
  }, 60_000)
})

describe('local onboard', () => {
  it('registers devices with a bounded token of this issuer; they appear in the hub', async () => {
    const [, , c, d] = ids as [string, string, string, string]
    const before = Math.floor(Date.now() / 1000)
    const { code, lines, stderr } = await local(
      'onboard',
      '--hub',
      'lab',
      '--client',
      'coap-gw',
      '--token-lifetime',
      '2h',
      ...devices(c, d),
      '--timeout',
      '30',
    )
    expect(code, stderr + JSON.stringify(lines)).toBe(0)
    expect(lines.at(-1)?.summary).toEqual({ done: 2, failed: 0 })
    for (const id of [c, d]) {
      const final = finalOf(lines, id)!
      expect(final.deviceStatus).toBe('registered')
      // Asked for 2 h; the client allows 30 minutes.
      const lifetime = final.token!.expiresAt - before
      expect(lifetime).toBeGreaterThan(1700)
      expect(lifetime).toBeLessThanOrEqual(1800 + 5)
      // The device holds a token of this issuer for its owner and id.
      expect(app.view(id).cloud.authorizationCode.claims).toMatchObject({
        iss: issuer.ready.issuer,
        'https://plgd.dev/owner': '1',
        'https://plgd.dev/deviceId': id,
        jti: final.token!.jti,
      })
    }
    // The hub lists them online for their owner.
    const listed = await cli('devices', 'list', '--hub', 'lab')
    expect(listed.code, listed.stderr).toBe(0)
    const online = (jsonLines(listed.stdout) as { key?: string; id?: string; status?: string }[])
      .filter((l) => l.status === 'ONLINE')
      .map((l) => l.key ?? l.id)
    expect(online).toEqual(expect.arrayContaining([c, d]))
    // The token went to client-application only: not in the job's items nor the audit log.
    const jobId = (lines.at(-1) as { jobId: string }).jobId
    const items = await dispatch('jobs.items', { id: jobId, since: 0, limit: 100 })
    const audit = JSON.stringify(t.app.audit.list(0, 500))
    expect(audit).toContain(final(lines, c).token!.jti)
    // The log saw the onboard calls, and no token in them.
    const logged = JSON.stringify(t.log.entries)
    expect(logged).toContain(`/api/v1/devices/${c}/onboard`)
    for (const text of [JSON.stringify(items), audit, JSON.stringify(lines), logged])
      expect(text).not.toMatch(/eyJ[\w-]+\.eyJ/)
  }, 60_000)

  it('a provider coap-gateway does not know refuses the token: the output gives the provider YAML', async () => {
    const e = ids[4]!
    const { code, lines } = await local(
      'onboard',
      '--hub',
      'lab',
      '--client',
      'coap-gw',
      '--provider',
      'console-direct',
      ...devices(e),
      '--timeout',
      '30',
    )
    expect(code).toBe(1)
    const last = finalOf(lines, e)!
    expect(last).toMatchObject({ state: 'failed', failedAt: 'token' })
    expect(last.message).toMatch(/provider "console-direct" does not accept tokens of this issuer/)
    expect(last.snippet).toContain('name: console-direct')
    expect(last.snippet).toContain(`authority: ${issuer.ready.issuer}`)
    expect(lines.at(-1)?.summary).toEqual({ done: 0, failed: 1 })
    expect(app.view(e).onboardingReason).toMatch(/unknown authorization provider/)
  }, 60_000)

  it('a client that may not mint for the device owner fails at the token, before client-application is asked', async () => {
    const e = ids[4]!
    const posts = app.requestLog.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/onboard'),
    ).length
    const { code, lines } = await local(
      'onboard',
      '--hub',
      'lab',
      '--client',
      'owner-9',
      ...devices(e),
    )
    expect(code).toBe(1)
    const last = finalOf(lines, e)!
    expect(last).toMatchObject({ state: 'failed', failedAt: 'token' })
    expect(last.message).toContain('--allowed-owner 1')
    expect(
      app.requestLog.filter((r) => r.method === 'POST' && r.path.endsWith('/onboard')).length,
    ).toBe(posts)
  })

  it('an unknown hub or client is the caller’s error: exit 1 and no job', async () => {
    const jobsBefore = ((await dispatch('jobs.list', {})) as { value: { total: number } }).value
      .total
    const noHub = await cli(
      'local',
      'onboard',
      '--hub',
      'nope',
      '--client',
      'coap-gw',
      '--device',
      ids[0]!,
      '--client-app',
      app.url,
    )
    expect(noHub.code).toBe(1)
    expect(noHub.stderr).toMatch(/hubs list/)
    const noClient = await cli(
      'local',
      'onboard',
      '--hub',
      'lab',
      '--client',
      'ghost',
      '--device',
      ids[0]!,
      '--client-app',
      app.url,
    )
    expect(noClient.code).toBe(1)
    expect(noClient.stderr).toMatch(/no client ghost/)
    const jobsAfter = ((await dispatch('jobs.list', {})) as { value: { total: number } }).value
      .total
    expect(jobsAfter).toBe(jobsBefore)
  })
})

describe('local onboard through an X509 client-application', () => {
  let x509: ClientAppSimulator

  afterAll(async () => {
    await x509?.close()
  })

  it('every call carries a bearer of the initialising client; the device registers', async () => {
    const [spec] = makeDevices(1, {}, 60)
    x509 = await startClientAppSimulator({
      mode: 'X509',
      hub: { simUrl: hub.url, caPem: hub.caPem },
      devices: [spec!],
      tickMs: 20,
    })
    const at = ['--client-app', x509.url]
    const init = await cli(
      'local',
      'init',
      '--owner',
      '1',
      '--client',
      'console',
      '--hub',
      'lab',
      ...at,
    )
    expect(init.code, init.stderr).toBe(0)
    const own = await cli('local', 'own', '--device', spec!.id, ...at)
    expect(own.code, own.stderr).toBe(0)
    const run = await cli(
      'local',
      'onboard',
      '--hub',
      'lab',
      '--client',
      'coap-gw',
      '--device',
      spec!.id,
      '--timeout',
      '30',
      ...at,
    )
    expect(run.code, run.stderr + run.stdout).toBe(0)
    expect(finalOf(jsonLines(run.stdout) as Line[], spec!.id)?.deviceStatus).toBe('registered')
    const api = x509.requestLog.filter((e) => e.path.startsWith('/api/'))
    expect(api.some((e) => e.path.endsWith('/onboard') && e.status === 200)).toBe(true)
    expect(api.every((e) => e.bearer)).toBe(true)
  }, 60_000)
})

function final(lines: Line[], key: string): Line {
  const found = finalOf(lines, key)
  if (!found) throw new Error(`no final line for ${key}`)
  return found
}
