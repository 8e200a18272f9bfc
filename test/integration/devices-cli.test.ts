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
import { jsonLines, makeTempDir, removeTempDirs } from '../helpers/cli.js'

/**
 * `devices` commands against the hub simulator's http-gateway, with this app's issuer on
 * 127.0.0.1 as the authority the hub trusts.
 */

const OWNER = '1'
let t: TestApp
let issuer: RunningIssuer
let sim: HubSimulator
let dispatch: Dispatch
let dir: string

interface Run {
  code: number
  stdout: string
  stderr: string
}

/** One command line, as `plgd-m2m-console … --json` runs it, through this app. */
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

async function cliJson<T>(...argv: string[]): Promise<T> {
  const run = await cli(...argv)
  expect(run.code, run.stderr).toBe(0)
  const lines = jsonLines(run.stdout)
  expect(lines).toHaveLength(1)
  return lines[0] as T
}

function errorOf(run: Run): { code: string; message: string } {
  const line = jsonLines(run.stderr).find((l) => typeof l === 'object' && l && 'error' in l) as
    { error: { code: string; message: string } } | undefined
  if (!line) throw new Error(`no error line in ${run.stderr}`)
  return line.error
}

function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

beforeAll(async () => {
  dir = makeTempDir()
  t = await openTestApp({ clock: new FixedClock(Math.floor(Date.now() / 1000)) })
  issuer = await startIssuer(t.app, { listen: { host: '127.0.0.1', port: 0 } })
  const issuerCa = readFileSync(issuer.ready.caCertFile ?? '', 'utf8')
  t.app.clients.add({ id: 'console', owner: OWNER })
  sim = await startHubSimulator({
    trustedAuthority: issuer.ready.issuer,
    trustedCaPem: issuerCa,
    tickMs: 20,
  })
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
  removeTempDirs()
})

describe('devices', () => {
  let online: string[]
  let offline: string[]
  beforeAll(() => {
    online = sim.fabricate(3, OWNER, 'ONLINE')
    offline = sim.fabricate(2, OWNER, 'OFFLINE')
    sim.fabricate(2, 'someone-else', 'ONLINE')
  })

  it("lists the owner's devices as JSON lines, one device each, then a summary", async () => {
    const run = await cli('devices', 'list', '--hub', 'lab')
    expect(run.code, run.stderr).toBe(0)
    const lines = jsonLines(run.stdout) as Record<string, unknown>[]
    const summary = lines.pop()
    expect(summary).toMatchObject({ summary: { devices: 5 }, state: 'done' })
    expect(lines.map((d) => d.id)).toEqual([...online, ...offline])
    expect(lines[0]).toEqual({
      id: online[0],
      name: expect.any(String) as string,
      types: ['oic.d.virtual', 'oic.wk.d'],
      status: 'ONLINE',
      ownershipStatus: 'OWNED',
      endpoints: ['coaps+tcp://127.0.0.1:5684'],
    })
  })

  it('filters by status and type', async () => {
    const off = jsonLines(
      (await cli('devices', 'list', '--hub', 'lab', '--status', 'OFFLINE')).stdout,
    )
    expect(off.slice(0, -1).map((d) => (d as { id: string }).id)).toEqual(offline)
    const none = await cli('devices', 'list', '--hub', 'lab', '--type', 'oic.d.light')
    expect(jsonLines(none.stdout)).toEqual([
      expect.objectContaining({ summary: { devices: 0 } }) as unknown,
    ])
  })

  it("streams a long list whole, in the hub's order", async () => {
    const many = sim.fabricate(1500, OWNER, 'ONLINE')
    const run = await cli('devices', 'list', '--hub', 'lab', '--status', 'ONLINE')
    expect(run.code, run.stderr).toBe(0)
    const ids = (jsonLines(run.stdout).slice(0, -1) as { id: string }[]).map((d) => d.id)
    expect(ids).toEqual([...online, ...many])
  })

  it('shows resource links', async () => {
    const links = await cliJson<{ href: string; resourceTypes: string[] }[]>(
      'devices',
      'links',
      '--hub',
      'lab',
      '--device',
      online[0]!,
    )
    expect(links).toContainEqual({ href: '/light/1', resourceTypes: ['core.light'] })
  })

  it("updates a resource with a JSON file's content", async () => {
    const out = await cliJson<{ content: unknown }>(
      'devices',
      'update',
      '--hub',
      'lab',
      '--device',
      online[0]!,
      '--href',
      '/light/1',
      '--json-file',
      file('power.json', '{"power":7}'),
    )
    expect(out).toEqual({ content: { power: 7 } })
    expect(sim.state.resources.get(`${online[0]!} /light/1`)).toEqual({ power: 7 })
  })

  it('removes a device; then the hub does not know it, and the error says how to check', async () => {
    expect(await cliJson('devices', 'remove', '--hub', 'lab', '--device', online[1]!)).toEqual({
      removed: true,
    })
    expect(sim.state.devices.has(online[1]!)).toBe(false)
    const again = await cli(
      'devices',
      'update',
      '--hub',
      'lab',
      '--device',
      online[1]!,
      '--href',
      '/light/1',
      '--json-file',
      file('p.json', '{}'),
    )
    expect(again.code).not.toBe(0)
    expect(errorOf(again)).toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(
        /hub lab does not know device .*devices list --hub lab/,
      ) as string,
    })
  })

  it('names the hub profile to check when the hub is unknown', async () => {
    const run = await cli('devices', 'list', '--hub', 'nowhere')
    expect(run.code).not.toBe(0)
    expect(errorOf(run)).toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('hubs list') as string,
    })
  })
})
