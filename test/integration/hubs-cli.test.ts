// @vitest-environment node
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHubSimulator, type HubSimulator } from '../fixtures/hub-simulator/index.mjs'
import {
  cliJson,
  jsonError,
  killAllServes,
  makeTempDir,
  removeTempDirs,
  runCli,
  startServe,
  type ServeHandle,
} from '../helpers/cli.js'

/**
 * `hubs …` through the compiled CLI, against a running `serve` (the issuer a hub fetches JWKS
 * from) and the hub simulator trusting it, or not: each failure must name its fix.
 */

interface HubJson {
  hub: {
    name: string
    url: string
    hubId: string
    dpsUrl: string | null
    snippetServiceUrl: string | null
    ownerClaim: string
    dpsDeviceEndpoint: string | null
    auth: { kind: string }
  }
}
interface CheckJson {
  ok: boolean
  checks: { name: string; ok: boolean; detail: string; fix?: string; snippet?: string }[]
}

let dataDir: string
let serve: ServeHandle
let sim: HubSimulator
let stranger: HubSimulator
let otherOwner: HubSimulator
let simCaFile: string

const hubs = (args: string[]) => runCli(['hubs', ...args, '--json'], { dataDir })
const check = async (name: string) => {
  const r = await hubs(['check', name])
  return { code: r.code, result: JSON.parse(r.stdout) as CheckJson, stderr: r.stderr }
}
const step = (r: CheckJson, name: string) => r.checks.find((c) => c.name === name)

beforeAll(async () => {
  dataDir = makeTempDir()
  await cliJson(['clients', 'add', '--id', 'console', '--owner', '1'], { dataDir })
  serve = await startServe(dataDir)
  const trust = { trustedAuthority: serve.ready.issuer, trustedCaPem: serve.ca! }
  ;[sim, stranger, otherOwner] = await Promise.all([
    startHubSimulator({ ...trust, ports: { gateway: 0, dps: 0, snippet: 0 } }),
    startHubSimulator({
      trustedAuthority: 'https://auth.elsewhere.example/m2m-oauth-server',
      trustedCaPem: serve.ca!,
    }),
    startHubSimulator({ ...trust, ownerClaim: 'https://other.example/owner' }),
  ])
  simCaFile = join(makeTempDir(), 'hub-ca.pem')
  writeFileSync(simCaFile, sim.caPem)
}, 60_000)

afterAll(async () => {
  await Promise.all([sim?.close(), stranger?.close(), otherOwner?.close()])
  await serve?.stop()
  await killAllServes()
  removeTempDirs()
})

describe('hubs CLI', () => {
  it('add discovers the hub; list and show print it; nothing secret in the output', async () => {
    const added = await cliJson<HubJson>(
      ['hubs', 'add', '--name', 'lab', '--url', sim.url, '--ca', simCaFile, '--client', 'console'],
      { dataDir },
    )
    expect(added.hub).toMatchObject({
      name: 'lab',
      url: sim.url,
      hubId: sim.hubId,
      dpsUrl: sim.dpsUrl,
      snippetServiceUrl: sim.snippetUrl,
      ownerClaim: sim.ownerClaim,
      auth: { kind: 'client' },
    })
    expect(added.hub.dpsDeviceEndpoint).toBe('coaps+tcp://127.0.0.1:15684')
    const list = await cliJson<{ hubs: HubJson['hub'][] }>(['hubs', 'list'], { dataDir })
    expect(list.hubs.map((h) => h.name)).toEqual(['lab'])
    const shown = await cliJson<HubJson>(['hubs', 'show', 'lab'], { dataDir })
    expect(shown.hub.hubId).toBe(sim.hubId)
  })

  it('check passes every step against a hub that trusts this issuer; the bearer is in the ledger', async () => {
    const { code, result } = await check('lab')
    expect(result.checks.map((c) => [c.name, c.ok])).toEqual([
      ['dns', true],
      ['tcp', true],
      ['tls', true],
      ['discovery', true],
      ['auth', true],
      ['owner', true],
      ['clock', true],
      ['dps', true],
      ['snippet-service', true],
    ])
    expect(result.ok).toBe(true)
    expect(code).toBe(0)
    const tokens = await cliJson<unknown>(['token', 'list'], { dataDir })
    expect(JSON.stringify(tokens)).toContain('console: hub lab')
    const audit = JSON.stringify(await cliJson<unknown>(['audit', 'list'], { dataDir }))
    expect(audit).toContain('hub.added')
    expect(audit).toContain('token.issued_by_admin')
    expect(audit).not.toMatch(/eyJ[\w-]+\.eyJ/)
  })

  it('human output marks each step and exits 0', async () => {
    const r = await runCli(['hubs', 'check', 'lab'], { dataDir })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/✓ tls: /)
    expect(r.stdout).toMatch(/✓ auth: /)
  })

  it('401: a hub that trusts another issuer gets the authorization.endpoints YAML, with our CA', async () => {
    const caFile = join(makeTempDir(), 'stranger-ca.pem')
    writeFileSync(caFile, stranger.caPem)
    await cliJson(
      [
        'hubs',
        'add',
        '--name',
        'stranger',
        '--url',
        stranger.url,
        '--ca',
        caFile,
        '--client',
        'console',
      ],
      { dataDir },
    )
    const { code, result } = await check('stranger')
    expect(code).toBe(1)
    expect(result.ok).toBe(false)
    const auth = step(result, 'auth')!
    expect(auth.ok).toBe(false)
    expect(auth.detail).toMatch(/401.*does not trust this issuer/)
    expect(auth.snippet).toContain(`authority: ${serve.ready.issuer}`)
    const caPool = `data:;base64,${Buffer.from(serve.ca!).toString('base64')}`
    expect(auth.snippet).toContain(caPool)
    const human = await runCli(['hubs', 'check', 'stranger'], { dataDir })
    expect(human.code).toBe(1)
    expect(human.stdout).toMatch(/✗ auth: .*\n {4}fix: .*authorization\.endpoints/)
  })

  it('403: a hub reading another owner claim names it and the setting to change', async () => {
    const caFile = join(makeTempDir(), 'other-ca.pem')
    writeFileSync(caFile, otherOwner.caPem)
    await cliJson(
      [
        'hubs',
        'add',
        '--name',
        'other',
        '--url',
        otherOwner.url,
        '--ca',
        caFile,
        '--client',
        'console',
      ],
      { dataDir },
    )
    const { result } = await check('other')
    const owner = step(result, 'owner')!
    expect(owner.ok).toBe(false)
    expect(owner.fix).toContain('settings set --owner-claim https://other.example/owner')
  })

  it('a skewed hub clock fails the check, naming --iat-backdate or NTP', async () => {
    sim.setClockOffset(-9000)
    try {
      const { code, result } = await check('lab')
      expect(code).toBe(1)
      expect(step(result, 'clock')).toMatchObject({ ok: false })
      expect(step(result, 'clock')!.detail).toMatch(/9\.\d s behind/)
      expect(step(result, 'clock')!.fix).toMatch(/--iat-backdate 1\d/)
    } finally {
      sim.setClockOffset(0)
    }
  })

  it('an untrusted certificate is refused at add and at update, naming --ca', async () => {
    const refused = await hubs(['add', '--name', 'noca', '--url', sim.url, '--client', 'console'])
    expect(refused.code).not.toBe(0)
    expect(jsonError(refused).message).toMatch(/not trusted.*Fix: pass the CA .* --ca FILE/)
    const wrongCa = await hubs(['update', 'lab', '--ca', join(dataDir, 'ca.pem')])
    expect(wrongCa.code).not.toBe(0)
    expect(jsonError(wrongCa).message).toMatch(/the CA given with --ca did not sign/)
    const shown = await cliJson<HubJson>(['hubs', 'show', 'lab'], { dataDir })
    expect(shown.hub.name).toBe('lab')
    expect((await check('lab')).result.ok).toBe(true)
  })

  it('update overrides a discovered address; the device-facing DPS endpoint follows it', async () => {
    const updated = await cliJson<HubJson>(
      ['hubs', 'update', 'lab', '--dps-url', 'https://dps.lab.example:9100'],
      { dataDir },
    )
    expect(updated.hub.dpsUrl).toBe('https://dps.lab.example:9100')
    expect(updated.hub.dpsDeviceEndpoint).toBe('coaps+tcp://dps.lab.example:15684')
    expect(updated.hub.snippetServiceUrl).toBe(sim.snippetUrl)
  })

  it('a pasted token is stored sealed: never in settings.json, never printed', async () => {
    const issued = await cliJson<{ accessToken: string }>(
      ['token', 'issue', '--client', 'console', '--lifetime', '600'],
      { dataDir },
    )
    const tokenFile = join(makeTempDir(), 'token.jwt')
    writeFileSync(tokenFile, `${issued.accessToken}\n`)
    const r = await hubs([
      'add',
      '--name',
      'pasted',
      '--url',
      sim.url,
      '--ca',
      simCaFile,
      '--token-file',
      tokenFile,
    ])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).not.toContain(issued.accessToken.split('.')[1])
    const settings = readFileSync(join(dataDir, 'settings.json'), 'utf8')
    expect(settings).toContain('"pasted"')
    expect(settings).not.toContain(issued.accessToken.split('.')[1])
    const { result } = await check('pasted')
    expect(step(result, 'auth')!.ok).toBe(true)
  })

  it('remove forgets a profile; show then names hubs list', async () => {
    await cliJson(['hubs', 'remove', 'pasted'], { dataDir })
    const r = await hubs(['show', 'pasted'])
    expect(r.code).not.toBe(0)
    expect(jsonError(r)).toMatchObject({ code: 'not_found' })
    expect(jsonError(r).message).toMatch(/hubs list/)
  })
})
