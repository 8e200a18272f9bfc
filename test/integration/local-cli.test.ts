// @vitest-environment node
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDispatcher, type Dispatch } from '../../electron/api/dispatcher.js'
import { runCommandLine } from '../../electron/headless/cli.js'
import { ReportedError } from '../../electron/headless/operation.js'
import { startIssuer, type RunningIssuer } from '../../electron/issuer/issuer-runtime.js'
import type { LocalStatus } from '../../shared/contract/index.js'
import {
  makeDevices,
  startClientAppSimulator,
  type ClientAppSimulator,
} from '../fixtures/client-app-simulator/index.mjs'
import { startHubSimulator, type HubSimulator } from '../fixtures/hub-simulator/index.mjs'
import { jsonLines, makeTempDir, removeTempDirs } from '../helpers/cli.js'
import { FixedClock, openTestApp, type TestApp } from '../helpers/fakes.js'

/**
 * Every `local` command this console owns (status, init, reset, discover, own, disown,
 * offboard) through the CLI's own parsing and dispatch, against the client-application
 * simulator on 127.0.0.1: a PSK one, and an X509 one whose certificate requests the hub
 * simulator's certificate-authority signs only for a bearer of the issuer it trusts (ours).
 */

let t: TestApp
let issuer: RunningIssuer
let hub: HubSimulator
let psk: ClientAppSimulator
let x509: ClientAppSimulator
let dispatch: Dispatch
let closedUrl: string
let dir: string

const OTHERS = '00000000-0000-4000-9000-0000000000aa'
const BARE = '00000000-0000-4000-9000-0000000000bb'
const FAR = '00000000-0000-4000-9000-0000000000cc'
const UNKNOWN = '00000000-0000-4000-9000-0000000000dd'
const [D1, D2, D3] = makeDevices(3).map((d) => d.id) as [string, string, string]

interface Run {
  code: number
  stdout: string
  stderr: string
}

async function cli(...argv: string[]): Promise<Run> {
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

const at = (sim: { url: string }) => ['--client-app', sim.url]
const errorOf = (run: Run): { code: string; message: string } =>
  (
    JSON.parse(run.stderr.trim().split('\n').at(-1)!) as {
      error: { code: string; message: string }
    }
  ).error

interface ItemLine {
  key?: string
  state?: string
  message?: string | null
  summary?: { done: number; failed: number }
}

/** The last line of each device, and the summary. */
function outcome(run: Run): { byId: Map<string, ItemLine>; summary: ItemLine['summary'] } {
  const lines = jsonLines(run.stdout) as ItemLine[]
  const byId = new Map<string, ItemLine>()
  for (const l of lines) if (l.key) byId.set(l.key, l)
  return { byId, summary: lines.at(-1)?.summary }
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

beforeAll(async () => {
  dir = makeTempDir()
  t = await openTestApp({ clock: new FixedClock(Math.floor(Date.now() / 1000)) })
  issuer = await startIssuer(t.app, { listen: { host: '127.0.0.1', port: 0 } })
  const issuerCa = readFileSync(issuer.ready.caCertFile ?? '', 'utf8')
  t.app.clients.add({ id: 'console', owner: '1' })
  t.app.clients.add({ id: 'elsewhere', owner: '2' })
  hub = await startHubSimulator({
    trustedAuthority: issuer.ready.issuer,
    trustedCaPem: issuerCa,
    tickMs: 20,
  })
  psk = await startClientAppSimulator({
    devices: [
      ...makeDevices(3),
      { id: OTHERS, ownershipStatus: 'OWNED', owner: 'mallory' },
      { id: BARE, secured: false },
      { id: FAR, answerAfterMs: 300, multicast: false, endpoints: ['coap://10.0.9.9:5683'] },
    ],
    defaultDiscoveryTimeoutMs: 1000,
  })
  x509 = await startClientAppSimulator({
    mode: 'X509',
    hub: { simUrl: hub.url, caPem: hub.caPem },
    devices: makeDevices(1, {}, 50),
  })
  closedUrl = `http://127.0.0.1:${await closedPort()}`
  dispatch = createDispatcher(t.app, 'cli')
  const added = await dispatch('hubs.add', {
    name: 'lab',
    url: hub.url,
    caPem: hub.caPem,
    auth: { kind: 'client', clientId: 'console' },
  })
  expect(added.ok, JSON.stringify(added)).toBe(true)
}, 30_000)

afterAll(async () => {
  await psk?.close()
  await x509?.close()
  await hub?.close()
  await issuer?.stop()
  t?.close()
  removeTempDirs()
})

describe('a client-application that is not running', () => {
  it('local status says so with the fix, and exits 1', async () => {
    const run = await cli('local', 'status', '--client-app', closedUrl)
    expect(run.code).toBe(1)
    const status = JSON.parse(run.stdout) as LocalStatus
    expect(status).toMatchObject({ url: closedUrl, running: false, mode: null })
    expect(status.problems.map((p) => p.problem)).toEqual(['not_running'])
    expect(status.problems[0]!.message).toContain(`not running at ${closedUrl}`)
    expect(status.problems[0]!.message).toContain('settings set --client-app URL')
  })

  it('init, discover and own refuse at once, naming the fix', async () => {
    for (const argv of [
      ['local', 'init', '--owner', 'alice'],
      ['local', 'discover'],
      ['local', 'own', '--device', D1],
    ]) {
      const run = await cli(...argv, '--client-app', closedUrl)
      expect(run.code, argv.join(' ')).toBe(1)
      expect(errorOf(run).message).toContain(`client-application is not running at ${closedUrl}`)
    }
  })

  it('the setting is the default URL', async () => {
    expect((await cli('settings', 'set', '--client-app', closedUrl)).code).toBe(0)
    const run = await cli('local', 'status')
    expect((JSON.parse(run.stdout) as LocalStatus).url).toBe(closedUrl)
  })
})

describe('PSK: init, reset, another owner', () => {
  let firstKey = ''

  it('not initialised: status names `local init --owner`; discover refuses', async () => {
    const run = await cli('local', 'status', ...at(psk))
    expect(run.code).toBe(1)
    const status = JSON.parse(run.stdout) as LocalStatus
    expect(status).toMatchObject({ running: true, initialized: false, mode: 'PRE_SHARED_KEY' })
    expect(status.problems[0]).toMatchObject({ problem: 'not_initialized' })
    expect(status.problems[0]!.message).toContain('local init --owner OWNER')
    const discover = await cli('local', 'discover', ...at(psk))
    expect(discover.code).toBe(1)
    expect(errorOf(discover).message).toContain('local init --owner')
  })

  it('init gives the owner as subject id and a fresh key kept only sealed', async () => {
    const run = await cli('local', 'init', '--owner', 'alice', ...at(psk))
    expect(run.code, run.stderr).toBe(0)
    const status = JSON.parse(run.stdout) as LocalStatus
    expect(status).toMatchObject({ initialized: true, owner: 'alice', problems: [] })
    expect(status.ours).toMatchObject({ mode: 'PRE_SHARED_KEY', owner: 'alice', clientId: null })
    firstKey = psk.state.psk!.key
    expect(psk.state.psk!.subjectId).toBe('alice')
    expect(Buffer.byteLength(firstKey)).toBeGreaterThanOrEqual(16)
    expect(t.settings.fileText()).not.toContain(firstKey)
    expect(t.settings.fileText()).toContain('pskSealed')
    const audit = JSON.stringify(t.app.audit.list(0, 500))
    expect(audit).toContain('local.initialized')
    expect(audit).not.toContain(firstKey)
    expect((await cli('local', 'status', ...at(psk))).code).toBe(0)
  })

  it('reset, then init again: the same key, so owned devices stay reachable', async () => {
    const reset = await cli('local', 'reset', ...at(psk))
    expect(reset.code, reset.stderr).toBe(0)
    expect(JSON.parse(reset.stdout)).toMatchObject({ initialized: false })
    expect(psk.state.initialized).toBe(false)
    expect((await cli('local', 'init', '--owner', 'alice', ...at(psk))).code).toBe(0)
    expect(psk.state.psk!.key).toBe(firstKey)
  })

  it('another owner: status says whose, init refuses without --force, --force takes over', async () => {
    await cli('local', 'reset', ...at(psk))
    const res = await fetch(`${psk.url}/api/v1/initialize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ preSharedKey: { subjectId: 'bob', key: 'b'.repeat(16) } }),
    })
    expect(res.status).toBe(200)
    const status = JSON.parse((await cli('local', 'status', ...at(psk))).stdout) as LocalStatus
    expect(status.problems.map((p) => p.problem)).toEqual(['other_owner'])
    expect(status.problems[0]!.message).toMatch(/"bob".*"alice".*--force/)
    const refused = await cli('local', 'init', '--owner', 'alice', ...at(psk))
    expect(refused.code).toBe(1)
    expect(errorOf(refused).message).toMatch(/owner "bob".*--force/)
    expect(psk.state.owner).toBe('bob')
    const forced = await cli('local', 'init', '--owner', 'alice', '--force', ...at(psk))
    expect(forced.code, forced.stderr).toBe(0)
    expect(psk.state.owner).toBe('alice')
    expect(psk.state.psk!.key).toBe(firstKey)
  })
})

describe('PSK: discover, own, disown, offboard', () => {
  it('discovery streams one line per device with the fields asked, then the count', async () => {
    const run = await cli('local', 'discover', '--timeout', '1', ...at(psk))
    expect(run.code, run.stderr).toBe(0)
    const lines = jsonLines(run.stdout) as Record<string, unknown>[]
    const devices = lines.filter((l) => 'id' in l)
    expect(devices.map((d) => d.id).sort()).toEqual([D1, D2, D3, OTHERS, BARE].sort())
    expect(devices.find((d) => d.id === D1)).toMatchObject({
      name: 'device-0',
      ownershipStatus: 'UNOWNED',
      types: expect.arrayContaining(['oic.wk.d']) as unknown,
      endpoints: expect.arrayContaining([expect.stringMatching(/^coaps?:\/\/10\./)]) as unknown,
    })
    expect(devices.find((d) => d.id === BARE)?.ownershipStatus).toBe('UNSUPPORTED')
    expect(lines.at(-1)).toMatchObject({ summary: { devices: 5 } })
  })

  it('by address, with filters and a timeout: only what answers there', async () => {
    const far = await cli('local', 'discover', '--ip', '10.0.9.9', '--timeout', '2', ...at(psk))
    const ids = (jsonLines(far.stdout) as { id?: string }[]).flatMap((l) => (l.id ? [l.id] : []))
    expect(ids).toEqual([FAR])
    const tooShort = await cli(
      'local',
      'discover',
      '--ip',
      '10.0.9.9',
      '--timeout',
      '0.1',
      ...at(psk),
    )
    expect(jsonLines(tooShort.stdout).at(-1)).toMatchObject({ summary: { devices: 0 } })
    const owned = await cli('local', 'discover', '--owned', '--timeout', '1', ...at(psk))
    const ownedIds = (jsonLines(owned.stdout) as { id?: string }[]).flatMap((l) =>
      l.id ? [l.id] : [],
    )
    expect(ownedIds).toEqual([OTHERS])
    const query = psk.requestLog.filter((e) => e.path.startsWith('/api/v1/devices?')).at(-1)!
    expect(query.path).toContain('ownershipStatusFilter=OWNED')
    expect(query.path).toContain('timeout=1000000000')
  })

  it('own: done for unowned devices and for ours again; each other case failed with its cause', async () => {
    const file = join(dir, 'bench.csv')
    writeFileSync(file, `id\n${D2}\n${OTHERS}\n`)
    const run = await cli(
      'local',
      'own',
      '--device',
      D1,
      '--device',
      UNKNOWN,
      '--device',
      BARE,
      '--devices-file',
      file,
      ...at(psk),
    )
    expect(run.code).toBe(1)
    const { byId, summary } = outcome(run)
    expect(summary).toEqual({ done: 2, failed: 3 })
    expect(byId.get(D1)?.state).toBe('done')
    expect(byId.get(D2)?.state).toBe('done')
    expect(psk.view(D1)).toMatchObject({ ownershipStatus: 'OWNED', owner: 'alice' })
    expect(byId.get(OTHERS)?.message).toMatch(/owned by someone else.*its owner must disown it/)
    expect(byId.get(UNKNOWN)?.message).toMatch(/does not know device .*local discover/)
    expect(byId.get(BARE)?.message).toMatch(/not secured/)
    // Ids may also be positional (`local own ID...`).
    const again = await cli('local', 'own', D1, ...at(psk))
    expect(again.code, again.stdout).toBe(0)
    expect(outcome(again).byId.get(D1)?.message).toContain('already owned')
  })

  it('offboard an owned device; an unowned one fails naming `local own`', async () => {
    const run = await cli('local', 'offboard', D1, '--device', D3, ...at(psk))
    expect(run.code).toBe(1)
    const { byId, summary } = outcome(run)
    expect(summary).toEqual({ done: 1, failed: 1 })
    expect(psk.view(D1).cloud.cps).toBe('uninitialized')
    expect(byId.get(D3)?.message).toContain(`local own ${D3}`)
  })

  it('no device ids at all is a usage error naming the three ways to give them', async () => {
    const run = await cli('local', 'disown', ...at(psk))
    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain('give device ids (ID...), --device ID or --devices-file FILE')
  })

  it('disown: done once, then "not owned"; exit 0 only when all are done', async () => {
    const run = await cli('local', 'disown', '--device', D2, ...at(psk))
    expect(run.code, run.stdout).toBe(0)
    expect(psk.view(D2).ownershipStatus).toBe('UNOWNED')
    const again = await cli('local', 'disown', '--device', D2, ...at(psk))
    expect(again.code).toBe(1)
    expect(outcome(again).byId.get(D2)?.message).toMatch(/not owned/)
  })

  it('without devices: the usage error names --device and --devices-file', async () => {
    const run = await cli('local', 'own', ...at(psk))
    expect(run.code).toBe(1)
    expect(errorOf(run).message).toContain('--devices-file')
  })
})

describe('X509 with the hub certificate-authority', () => {
  it('init without --client names it', async () => {
    const run = await cli('local', 'init', '--owner', '1', ...at(x509))
    expect(run.code).toBe(1)
    expect(errorOf(run).message).toContain('--client')
  })

  it("init with a client for another owner is refused by the client's policy", async () => {
    const run = await cli(
      'local',
      'init',
      '--owner',
      '1',
      '--client',
      'elsewhere',
      '--hub',
      'lab',
      ...at(x509),
    )
    expect(run.code).toBe(1)
    expect(errorOf(run).message).toMatch(/client elsewhere mints tokens for owner "2".*not "1"/)
  })

  it('init pushes our JWKS with a bearer; the CSR is signed at the hub; own goes through the CSR too', async () => {
    const run = await cli(
      'local',
      'init',
      '--owner',
      '1',
      '--client',
      'console',
      '--hub',
      'lab',
      ...at(x509),
    )
    expect(run.code, run.stderr).toBe(0)
    const status = JSON.parse(run.stdout) as LocalStatus
    expect(status).toMatchObject({ initialized: true, mode: 'X509', problems: [] })
    expect(status.ours).toMatchObject({ clientId: 'console', hub: 'lab', owner: '1' })
    expect(x509.state.identityCertificatePem).toContain('BEGIN CERTIFICATE')
    const ourKids = t.app.keys.list().map((k) => k.kid)
    expect(x509.state.jwks!.keys.map((k) => k.kid)).toEqual(expect.arrayContaining(ourKids))
    const [device] = makeDevices(1, {}, 50)
    const own = await cli('local', 'own', '--device', device!.id, ...at(x509))
    expect(own.code, own.stdout).toBe(0)
    expect(x509.view(device!.id)).toMatchObject({ ownershipStatus: 'OWNED' })
    expect(x509.requestLog.some((e) => e.path.includes('/own/') && e.status === 200)).toBe(true)
    expect(x509.requestLog.filter((e) => e.path.startsWith('/api/')).every((e) => e.bearer)).toBe(
      true,
    )
    const ledger = JSON.stringify(t.app.audit.list(0, 500))
    expect(ledger).toContain(`"clientApp":"${x509.url}"`)
  })

  it('a client that is disabled afterwards: status names no_credentials and the fix', async () => {
    t.app.clients.setDisabled('console', true)
    const status = JSON.parse((await cli('local', 'status', ...at(x509))).stdout) as LocalStatus
    t.app.clients.setDisabled('console', false)
    expect(status.problems.map((p) => p.problem)).toEqual(['no_credentials'])
    expect(status.problems[0]!.message).toContain('clients enable console')
  })
})
