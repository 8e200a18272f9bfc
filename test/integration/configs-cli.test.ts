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
 * `configs` and `conditions` through the compiled CLI, against a running `serve` (the issuer
 * the hub fetches JWKS from) and the hub simulator trusting it: every call the CLI makes is
 * authenticated as a hub does, and every body checked by the snippet-service's rules.
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

/** The ledger's records of the condition client's tokens, as `token list` prints them. */
async function snippetTokens(): Promise<{ id: string; name: string; expiration: number }[]> {
  const page = await cliJson<{ items: { id: string; name: string; expiration: number }[] }>(
    'token',
    'list',
    '--client',
    'snippets',
  )
  return page.items
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
  await cliJsonIn(
    ['clients', 'add', '--id', 'snippets', '--owner', OWNER, '--lifetime', String(7 * 86_400)],
    { dataDir },
  )
  await cliJsonIn(
    ['clients', 'add', '--id', 'stranger', '--owner', 'someone-else', '--lifetime', '86400'],
    { dataDir },
  )
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

describe('configs', () => {
  let configId: string

  it('creates a configuration from href=JSON files and prints its id and version', async () => {
    const out = await cliJson<{ configuration: { id: string; version: number } }>(
      'configs',
      'create',
      '--hub',
      'lab',
      '--name',
      'light-42',
      '--resource',
      `/light/1=${file('light.json', '{"power":42}')}`,
      '--resource',
      `/light/2=${file('light2.json', '{"state":true}')}`,
      '--ttl',
      '60',
    )
    expect(out.configuration).toEqual({ id: expect.any(String) as string, version: 0 })
    configId = out.configuration.id
    const stored = sim.state.configurations.get(configId)?.at(-1)
    expect(stored?.owner).toBe(OWNER)
    expect(stored?.resources[0]).toEqual({
      href: '/light/1',
      content: { data: 'eyJwb3dlciI6NDJ9', contentType: 'application/json', coapContentFormat: 50 },
      timeToLive: '60000000000',
    })
  })

  it('lists configurations with their content decoded', async () => {
    const list = await cliJson<{ id: string; resources: { href: string; content: unknown }[] }[]>(
      'configs',
      'list',
      '--hub',
      'lab',
    )
    const mine = list.find((c) => c.id === configId)
    expect(mine?.resources).toEqual([
      {
        href: '/light/1',
        content: { power: 42 },
        contentType: 'application/json',
        timeToLiveSeconds: 60,
      },
      {
        href: '/light/2',
        content: { state: true },
        contentType: 'application/json',
        timeToLiveSeconds: 60,
      },
    ])
  })

  it('refuses a resource file that is not JSON, naming the file', async () => {
    const run = await cli(
      'configs',
      'create',
      '--hub',
      'lab',
      '--name',
      'x',
      '--resource',
      `/light/1=${file('bad.json', '{power:')}`,
    )
    expect(run.code).not.toBe(0)
    expect(errorOf(run)).toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('bad.json') as string,
    })
  })

  it('applies to devices with JSON lines of progress and a summary; unknown and slow devices say why', async () => {
    const ids = sim.fabricate(5, OWNER, 'ONLINE')
    const slow = ids[4]!
    sim.setSlow([slow])
    sim.requestLog.reset()
    const devicesFile = file('devices.csv', `deviceId\n${ids.slice(1).join('\n')}\n`)
    const run = await cli(
      'configs',
      'apply',
      '--hub',
      'lab',
      '--config',
      configId,
      '--device',
      ids[0]!,
      '--device',
      'no-such-device',
      '--devices-file',
      devicesFile,
      '--concurrency',
      '2',
      '--timeout',
      '20',
    )
    expect(run.code).toBe(1)
    const lines = jsonLines(run.stdout) as Record<string, unknown>[]
    const summary = lines.at(-1) as { summary: Record<string, number> }
    expect(summary.summary).toEqual({ done: 4, failed: 1, timeout: 1 })
    const last = new Map<string, Record<string, unknown>>()
    for (const line of lines.slice(0, -1)) last.set(line.key as string, line)
    expect(last.get(ids[0]!)).toMatchObject({
      state: 'done',
      appliedConfigurationId: expect.any(String) as string,
      resources: [
        { href: '/light/1', status: 'DONE' },
        { href: '/light/2', status: 'DONE' },
      ],
    })
    expect(last.get('no-such-device')?.state).toBe('failed')
    expect(last.get('no-such-device')?.message).toMatch(
      /does not know device no-such-device.*devices list --hub lab/,
    )
    expect(last.get(slow)).toMatchObject({ state: 'timeout' })
    expect(last.get(slow)?.message).toMatch(/did not take/)
    expect(sim.requestLog.maxInFlight).toBeLessThanOrEqual(2)
    expect(sim.requestLog.maxInFlight).toBeGreaterThan(0)
  })
  it('follows an earlier apply instead of failing, and --force applies again', async () => {
    const [id] = sim.fabricate(1, OWNER, 'ONLINE')
    const apply = (...extra: string[]) =>
      cli('configs', 'apply', '--hub', 'lab', '--config', configId, '--device', id!, ...extra)
    const first = jsonLines((await apply()).stdout) as Record<string, unknown>[]
    const firstId = first.at(-2)?.appliedConfigurationId
    const again = await apply()
    expect(again.code, again.stderr).toBe(0)
    const lines = jsonLines(again.stdout) as Record<string, unknown>[]
    expect(lines.at(-2)).toMatchObject({
      state: 'done',
      appliedConfigurationId: firstId,
      message: expect.stringContaining('--force') as string,
    })
    const forced = jsonLines((await apply('--force')).stdout) as Record<string, unknown>[]
    expect(forced.at(-2)?.state).toBe('done')
    expect(forced.at(-2)?.appliedConfigurationId).not.toBe(firstId)
  })
})

describe('conditions', () => {
  let configId: string
  beforeAll(async () => {
    const out = await cliJson<{ configuration: { id: string } }>(
      'configs',
      'create',
      '--hub',
      'lab',
      '--name',
      'on-publish',
      '--resource',
      `/light/1=${file('c.json', '{"power":1}')}`,
    )
    configId = out.configuration.id
  })

  it('creates a condition whose token is ours, in the ledger, with a warning on stderr', async () => {
    const run = await cli(
      'conditions',
      'create',
      '--hub',
      'lab',
      '--config',
      configId,
      '--name',
      'lights',
      '--resource-type',
      'core.light',
      '--href',
      '/light/1',
      '--jq',
      '.power != 1',
      '--client',
      'snippets',
      '--token-lifetime',
      '86400',
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/stores a condition token in clear/)
    const [out] = jsonLines(run.stdout) as {
      condition: Record<string, unknown>
      tokenJti: string
    }[]
    expect(out!.condition).toMatchObject({
      name: 'lights',
      configurationId: configId,
      resourceTypes: ['core.light'],
      hrefs: ['/light/1'],
      jq: '.power != 1',
      tokenJti: out!.tokenJti,
    })
    expect(run.stdout).not.toMatch(/eyJ/)
    const record = (await snippetTokens()).find((r) => r.id === out!.tokenJti)
    expect(record?.name).toBe('condition lights')
    expect(record!.expiration - Math.floor(Date.now() / 1000)).toBeGreaterThan(86_000)
    const stored = sim.state.conditions.get(out!.condition.id as string)?.at(-1)
    expect(stored?.apiAccessToken).toMatch(/^eyJ/)

    const list = await cliJson<{ id: string; tokenJti: string | null }[]>(
      'conditions',
      'list',
      '--hub',
      'lab',
    )
    expect(list.find((c) => c.id === out!.condition.id)?.tokenJti).toBe(out!.tokenJti)
  })

  it("refuses a lifetime beyond the client's maximum and a client of another owner, minting nothing", async () => {
    const before = (await snippetTokens()).length
    const tooLong = await cli(
      'conditions',
      'create',
      '--hub',
      'lab',
      '--config',
      configId,
      '--name',
      'n',
      '--client',
      'snippets',
      '--token-lifetime',
      String(30 * 86_400),
    )
    expect(tooLong.code).not.toBe(0)
    expect(errorOf(tooLong).message).toMatch(/client snippets cannot mint the condition token/)
    const otherOwner = await cli(
      'conditions',
      'create',
      '--hub',
      'lab',
      '--config',
      configId,
      '--name',
      'n',
      '--client',
      'stranger',
      '--token-lifetime',
      '3600',
    )
    expect(otherOwner.code).not.toBe(0)
    expect(errorOf(otherOwner).message).toMatch(/owner 1/)
    const missing = await cli(
      'conditions',
      'create',
      '--hub',
      'lab',
      '--config',
      configId,
      '--name',
      'n',
      '--client',
      'snippets',
    )
    expect(errorOf(missing).message).toMatch(/--token-lifetime is required/)
    expect(await snippetTokens()).toHaveLength(before)
  })
})
