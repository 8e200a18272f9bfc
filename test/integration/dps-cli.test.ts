// @vitest-environment node
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDispatcher, type Dispatch } from '../../electron/api/dispatcher.js'
import { runCommandLine } from '../../electron/headless/cli.js'
import { ReportedError } from '../../electron/headless/operation.js'
import { startIssuer, type RunningIssuer } from '../../electron/issuer/issuer-runtime.js'
import { startHubSimulator, type HubSimulator } from '../fixtures/hub-simulator/index.mjs'
import { FixedClock, openTestApp, type TestApp } from '../helpers/fakes.js'
import {
  cliJson,
  jsonLines,
  killAllServes,
  makeTempDir,
  removeTempDirs,
  runCli,
  startServe,
  type ServeHandle,
} from '../helpers/cli.js'

/**
 * `dps setup`, `dps watch` and `dps checklist` against the hub simulator, with this app's issuer
 * on 127.0.0.1 as the authority the hub trusts. The simulator's DPS fetches tokens from the hub
 * record's provider (our issuer) with the secret the setup sent it, checks their owner against
 * the group's and has its certificate-authority and coap-gateway validate them: a set-up that
 * only looks right fails at the step a real hub fails at.
 */

let t: TestApp
let issuer: RunningIssuer
let sim: HubSimulator
let dispatch: Dispatch
let dir: string
let chain: string

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

interface SetupOut {
  plan: { target: string; action: string; id: string | null; changes: { field: string }[] }[]
  applied: boolean
  enrollmentGroupId: string | null
  dpsHubId: string | null
  warnings: string[]
}

async function setup(...extra: string[]): Promise<SetupOut> {
  const run = await cli(
    'dps',
    'setup',
    '--hub',
    'lab',
    '--group',
    'line-1',
    '--certificate-chain',
    chain,
    ...extra,
  )
  expect(run.code, run.stderr).toBe(0)
  const lines = jsonLines(run.stdout)
  expect(lines).toHaveLength(1)
  return lines[0] as SetupOut
}

interface WatchLine {
  key?: string
  state?: string
  message?: string | null
  steps?: { step: string; state: string }[]
  summary?: { done: number; failed: number; pending: number }
}

async function watch(...extra: string[]): Promise<{ code: number; lines: WatchLine[] }> {
  const run = await cli('dps', 'watch', '--hub', 'lab', ...extra)
  return { code: run.code, lines: jsonLines(run.stdout) as WatchLine[] }
}

const finalOf = (lines: WatchLine[], key: string) =>
  lines.filter((l) => l.key === key && l.state !== 'running' && l.state !== 'pending').at(-1)

beforeAll(async () => {
  dir = makeTempDir()
  t = await openTestApp({ clock: new FixedClock(Math.floor(Date.now() / 1000)) })
  issuer = await startIssuer(t.app, { listen: { host: '127.0.0.1', port: 0 } })
  const issuerCa = readFileSync(issuer.ready.caCertFile ?? '', 'utf8')
  t.app.clients.add({ id: 'console', owner: '1' })
  t.app.clients.add({ id: 'other-dps', owner: '2', allowDeviceId: true })
  sim = await startHubSimulator({
    trustedAuthority: issuer.ready.issuer,
    trustedCaPem: issuerCa,
    tickMs: 20,
  })
  // A self-signed CA is a chain that verifies against itself, as DPS requires.
  chain = join(dir, 'mfg-chain.pem')
  writeFileSync(chain, sim.caPem)
  dispatch = createDispatcher(t.app, 'cli')
  const added = await dispatch('hubs.add', {
    name: 'lab',
    url: sim.url,
    caPem: sim.caPem,
    auth: { kind: 'client', clientId: 'console' },
  })
  expect(added.ok, JSON.stringify(added)).toBe(true)
})

afterAll(async () => {
  await sim?.close()
  await issuer?.stop()
  t?.close()
  await killAllServes()
  removeTempDirs()
})

describe('dps setup', () => {
  it('a dry run plans the client, hub record and group and changes nothing at DPS', async () => {
    const out = await setup('--client', 'dps', '--owner', '1', '--dry-run')
    expect(out.applied).toBe(false)
    expect(out.plan.map((s) => [s.target, s.action])).toEqual([
      ['client', 'create'],
      ['dps-hub', 'create'],
      ['enrollment-group', 'create'],
    ])
    expect(out.plan[1]!.changes.map((c) => c.field)).toContain(
      'authorization.provider.clientSecret',
    )
    expect(JSON.stringify(out)).not.toMatch(/data:,(?!\*)/)
    expect(sim.state.hubs.size).toBe(0)
    expect(sim.state.groups.size).toBe(0)
    expect(t.app.clients.find('dps')).toBeUndefined()
  })

  it('apply creates the client, the hub record pointing at our issuer and the group', async () => {
    const out = await setup('--client', 'dps', '--owner', '1')
    expect(out.applied).toBe(true)
    const hub = sim.state.hubs.get(out.dpsHubId!)
    expect(hub).toMatchObject({ hubId: sim.hubId, owner: '1' })
    expect(hub!.authorization.provider).toMatchObject({
      authority: issuer.ready.issuer,
      clientId: 'dps',
    })
    expect(hub!.authorization.provider.clientSecret).toMatch(/^data:,./)
    const group = sim.state.groups.get(out.enrollmentGroupId!)
    expect(group).toMatchObject({ name: 'line-1', owner: '1', hubIds: [sim.hubId] })
    expect(t.app.clients.get('dps')).toMatchObject({ owner: '1', allowDeviceId: true })
    const audit = t.app.audit.list(0, 200)
    expect(JSON.stringify(audit)).toContain('dps.setup')
    expect(JSON.stringify(audit)).not.toContain(hub!.authorization.provider.clientSecret.slice(6))
  })

  it('a second run finds both records, rotates with the grace period and updates in place', async () => {
    const before = sim.state.hubs.size
    const out = await setup('--client', 'dps', '--grace', '10m')
    expect(out.plan.map((s) => s.action)).toEqual(['rotate-secret', 'update', 'unchanged'])
    expect(sim.state.hubs.size).toBe(before)
    expect(t.app.clients.get('dps').secrets).toHaveLength(2)
  })

  it('the devices reach done: DPS fetched tokens from our issuer with the rotated secret', async () => {
    const ids = ['6f1c1c10-0000-4000-8000-000000000001', '6f1c1c10-0000-4000-8000-000000000002']
    const [group] = [...sim.state.groups.values()]
    sim.addDevices(ids, group!.id)
    const { code, lines } = await watch(
      '--client',
      'dps',
      '--device',
      ids[0]!,
      '--device',
      ids[1]!,
      '--timeout',
      '30',
    )
    expect(lines.at(-1)?.summary).toEqual({ done: 2, failed: 0, pending: 0 })
    expect(code).toBe(0)
    expect(finalOf(lines, ids[0]!)?.steps?.map((s) => s.state)).toEqual(Array(5).fill('done'))
  })
})

describe('dps setup --keep-secret', () => {
  it('leaves the secret DPS holds and writes nothing when the records match', async () => {
    const secrets = t.app.clients.get('dps').secrets.length
    const hubWrites = sim.requestLog.count('/api/v1/hubs', 'PUT')
    const out = await setup('--client', 'dps', '--keep-secret')
    expect(out.plan.map((s) => s.action)).toEqual(['unchanged', 'unchanged', 'unchanged'])
    expect(t.app.clients.get('dps').secrets).toHaveLength(secrets)
    expect(sim.requestLog.count('/api/v1/hubs', 'PUT')).toBe(hubWrites)
  })
})

describe('dps watch failures', () => {
  it('a stale secret at DPS fails the first step that fetches a token, with the fix: re-run dps setup', async () => {
    // The secret DPS holds stops working at once (no grace): as if rotated elsewhere. DPS may
    // still hold a credentials token of this owner from before, so cloud can be the first to fail.
    await dispatch('clients.rotateSecret', { id: 'dps', graceSeconds: 0 })
    const id = '6f1c1c10-0000-4000-8000-000000000003'
    sim.addDevices([id], [...sim.state.groups.values()][0]!.id)
    const { code, lines } = await watch('--client', 'dps', '--device', id, '--timeout', '30')
    expect(code).not.toBe(0)
    const final = finalOf(lines, id)
    expect(final?.state).toBe('failed')
    expect(final?.message).toMatch(
      /^(credentials|cloud) failed: DPS cannot authenticate at this issuer/,
    )
    expect(final?.message).toMatch(/re-run `dps setup --hub lab --client dps/i)
    expect(lines.at(-1)?.summary).toEqual({ done: 0, failed: 1, pending: 0 })
    // The fix works: setup again gives DPS a fresh secret, and a device provisions.
    await setup('--client', 'dps')
    const next = '6f1c1c10-0000-4000-8000-000000000004'
    sim.addDevices([next], [...sim.state.groups.values()][0]!.id)
    expect((await watch('--client', 'dps', '--device', next)).code).toBe(0)
  })

  it("a group whose owner is not the DPS client's fails with the owner translation", async () => {
    // A group (and hub record) of owner 2 whose provider is still the `dps` client of owner 1.
    const out = await setup('--client', 'other-dps')
    const hub = sim.state.hubs.get(out.dpsHubId!)!
    hub.authorization.provider = {
      ...hub.authorization.provider,
      clientId: 'dps',
      clientSecret: [...sim.state.hubs.values()].find((h) => h.owner === '1')!.authorization
        .provider.clientSecret,
    }
    const id = '6f1c1c10-0000-4000-8000-000000000005'
    sim.addDevices([id], out.enrollmentGroupId!)
    const { code, lines } = await watch('--client', 'other-dps', '--device', id, '--timeout', '30')
    expect(code).not.toBe(0)
    const message = finalOf(lines, id)?.message
    expect(message).toMatch(
      /^credentials failed: the DPS hub record's client cannot get a token for owner 2/,
    )
    expect(message).toMatch(/re-run `dps setup --hub lab --client other-dps/)
  })

  it('a device DPS never sees times out with what to check', async () => {
    const { code, lines } = await watch(
      '--client',
      'dps',
      '--device',
      '6f1c1c10-0000-4000-8000-0000000000ff',
      '--timeout',
      '2',
    )
    expect(code).not.toBe(0)
    expect(finalOf(lines, '6f1c1c10-0000-4000-8000-0000000000ff')?.message).toMatch(
      /no provisioning record/,
    )
    expect(lines.at(-1)?.summary).toEqual({ done: 0, failed: 0, pending: 1 })
  })
})

describe('dps watch as a job', () => {
  it('is cancelled and resumed where it was, then finishes', async () => {
    sim.pause(true)
    const id = '6f1c1c10-0000-4000-8000-000000000010'
    const group = [...sim.state.groups.values()].find((g) => g.owner === '1')!
    sim.addDevices([id], group.id)
    const started = await dispatch('dps.watch', { hub: 'lab', clientId: 'dps', deviceIds: [id] })
    expect(started.ok, JSON.stringify(started)).toBe(true)
    const jobId = (started as { value: { jobId: string } }).value.jobId
    const cancelled = await dispatch('jobs.cancel', { id: jobId })
    expect(cancelled).toMatchObject({ ok: true, value: { state: 'cancelled' } })
    sim.pause(false)
    await dispatch('jobs.resume', { id: jobId })
    await expect
      .poll(
        async () =>
          ((await dispatch('jobs.get', { id: jobId })) as { value: { state: string } }).value.state,
        {
          timeout: 20_000,
          interval: 200,
        },
      )
      .toBe('done')
    const job = (await dispatch('jobs.get', { id: jobId })) as {
      value: { counts: { done: number } }
    }
    expect(job.value.counts.done).toBe(1)
  })
})

describe('dps checklist', () => {
  it('marks what the console can see and gives the YAML the hub admin adds', async () => {
    const run = await cli('dps', 'checklist', '--hub', 'lab', '--client', 'dps')
    expect(run.code, run.stderr).toBe(0)
    const { items } = jsonLines(run.stdout)[0] as {
      items: { id: string; done: boolean | null; snippet?: string }[]
    }
    const byId = Object.fromEntries(items.map((i) => [i.id, i]))
    expect(byId['dps-client']!.done).toBe(true)
    expect(byId.claims!.done).toBe(true)
    expect(byId['authorization-endpoints']!.snippet).toContain(`authority: ${issuer.ready.issuer}`)
    expect(byId['coap-gateway-provider']!.snippet).toContain('grantType: clientCredentials')
  })
})

describe('through the built CLI and a running serve', () => {
  let serve: ServeHandle
  let hub: HubSimulator
  let dataDir: string
  let chainFile: string

  beforeAll(async () => {
    dataDir = makeTempDir()
    await cliJson(['clients', 'add', '--id', 'console', '--owner', '7'], { dataDir })
    serve = await startServe(dataDir)
    hub = await startHubSimulator({
      trustedAuthority: serve.ready.issuer,
      trustedCaPem: serve.ca!,
      tickMs: 20,
    })
    const caFile = join(dataDir, 'hub-ca.pem')
    writeFileSync(caFile, hub.caPem)
    chainFile = join(dataDir, 'chain.pem')
    writeFileSync(chainFile, hub.caPem)
    await cliJson(
      ['hubs', 'add', '--name', 'lab', '--url', hub.url, '--ca', caFile, '--client', 'console'],
      { dataDir },
    )
  }, 60_000)

  afterAll(async () => {
    await hub?.close()
    await serve?.stop()
  })

  const setupArgs = () => [
    'dps',
    'setup',
    '--hub',
    'lab',
    '--client',
    'dps',
    '--group',
    'line-7',
    '--certificate-chain',
    chainFile,
  ]

  it('dry run prints the plan as a readable diff and changes nothing', async () => {
    const r = await runCli([...setupArgs(), '--dry-run'], { dataDir })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^create\s+client dps/m)
    expect(r.stdout).toMatch(/^create\s+dps-hub lab/m)
    expect(r.stdout).toMatch(/authorization.provider.clientSecret: data:,\*\*\*\*/)
    expect(r.stdout).toMatch(/dry run: nothing was changed/)
    expect(hub.state.hubs.size).toBe(0)
  })

  it('apply, then watch: exit 0 with a JSON line per change and the summary', async () => {
    const out = await cliJson<SetupOut>([...setupArgs(), '--json'], { dataDir })
    expect(out).toMatchObject({ applied: true })
    const id = '7a1c1c10-0000-4000-8000-000000000001'
    hub.addDevices([id], out.enrollmentGroupId!)
    const r = await runCli(
      ['dps', 'watch', '--hub', 'lab', '--client', 'dps', '--device', id, '--json'],
      {
        dataDir,
      },
    )
    expect(r.code, r.stderr).toBe(0)
    const lines = jsonLines(r.stdout) as WatchLine[]
    expect(lines.at(-1)).toMatchObject({ summary: { done: 1, failed: 0, pending: 0 } })
    expect(lines.some((l) => l.key === id && l.state === 'done')).toBe(true)
  })
})
