// @vitest-environment node
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHubSimulator, type HubSimulator } from '../fixtures/hub-simulator/index.mjs'
import {
  cliJson as cliJsonIn,
  jsonError,
  jsonLines,
  killAllServes,
  makeTempDir,
  removeTempDirs,
  runCli,
  startServe,
  type ServeHandle,
} from '../helpers/cli.js'

/**
 * `devices` through the compiled CLI, against a running `serve` (the issuer the hub fetches
 * JWKS from) and the hub simulator's http-gateway trusting it.
 */

const OWNER = '1'
let dataDir: string
let dir: string
let serve: ServeHandle
let sim: HubSimulator

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** `plgd-m2m-console … --json`, through the running serve. */
function cli(...argv: string[]): Promise<Run> {
  return runCli([...argv, '--json'], { dataDir, timeoutMs: 60_000 })
}

function cliJson<T>(...argv: string[]): Promise<T> {
  return cliJsonIn<T>(argv, { dataDir })
}

const errorOf = (run: Run) => jsonError({ ...run, signal: null, timedOut: false })

function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

beforeAll(async () => {
  dataDir = makeTempDir()
  dir = makeTempDir()
  await cliJsonIn(['clients', 'add', '--id', 'console', '--owner', OWNER], { dataDir })
  serve = await startServe(dataDir)
  sim = await startHubSimulator({
    trustedAuthority: serve.ready.issuer,
    trustedCaPem: serve.ca!,
    tickMs: 20,
  })
  const caFile = file('hub-ca.pem', sim.caPem)
  await cliJson(
    'hubs',
    'add',
    '--name',
    'lab',
    '--url',
    sim.url,
    '--ca',
    caFile,
    '--client',
    'console',
  )
}, 60_000)

afterAll(async () => {
  await sim?.close()
  await serve?.stop()
  await killAllServes()
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

  it('prints id, status, name and types per device without --json', async () => {
    const run = await runCli(['devices', 'list', '--hub', 'lab', '--status', 'OFFLINE'], {
      dataDir,
      timeoutMs: 60_000,
    })
    expect(run.code, run.stderr).toBe(0)
    const rows = run.stdout.trim().split('\n').slice(0, -1)
    expect(rows.length).toBeGreaterThan(0)
    for (const row of rows) {
      expect(row).toMatch(/^\S+ {2}OFFLINE {2}\S.* {2}oic\.d\.virtual,oic\.wk\.d$/)
    }
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
