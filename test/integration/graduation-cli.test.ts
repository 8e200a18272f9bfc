// @vitest-environment node
import { generateKeyPairSync } from 'node:crypto'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  basicAuth,
  cliJson,
  FORM,
  httpRequest,
  jsonError,
  killAllServes,
  makeTempDir,
  removeTempDirs,
  runCli,
  startServe,
} from '../helpers/cli.js'
import { authenticates, loadPlgdConfig, plgdKidOf } from '../helpers/plgd-m2m-config.js'

/**
 * Issue 15 items 2-4 with the compiled CLI and the real keychain: a console with a secret
 * client, a user-assertion client, a private_key_jwt client and a key imported from plgd
 * graduates (`export plgd`); the tests' own plgd config check loads the files as plgd's server
 * would; `import plgd` into a fresh data directory gives back the same policies, kid and claim
 * names, and its issuer serves a token for the new secret that verifies with its JWKS. The
 * static bundle follows `keys rotate`.
 */

interface ClientView {
  id: string
  createdAt: number
  updatedAt: number
  secrets: unknown[]
  [field: string]: unknown
}
interface KeyView {
  kid: string
  state: string
}

let work: string
let src: string
let out: string
let importedKid: string
const secrets = new Map<string, string>()

const policy = ({ createdAt: _c, updatedAt: _u, secrets: _s, ...rest }: ClientView) => rest
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort()

beforeAll(async () => {
  work = makeTempDir()
  src = join(work, 'source')
  await cliJson(
    [
      'clients',
      'add',
      '--id',
      'dps',
      '--owner',
      'owner-1',
      '--audience',
      'https://hub.example',
      '--scope',
      'r:*',
      '--allowed-owner',
      'owner-2',
      '--allow-device-id',
      '--lifetime',
      '1h',
    ],
    { dataDir: src },
  )
  await cliJson(
    ['clients', 'add', '--id', 'users', '--trusted-authority', 'https://idp.example/realms/x'],
    { dataDir: src },
  )
  await cliJson(
    ['clients', 'add', '--id', 'pk', '--owner', '2', '--jwks-uri', 'https://client.example/jwks'],
    { dataDir: src },
  )
  const keyFile = join(work, 'plgd.pem')
  const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey
  writeFileSync(keyFile, key.export({ format: 'pem', type: 'sec1' }))
  importedKid = plgdKidOf(key)
  const imported = await cliJson<KeyView>(['keys', 'import', keyFile, '--activate'], {
    dataDir: src,
  })
  expect(imported.kid).toBe(importedKid)
}, 120_000)

afterAll(async () => {
  await killAllServes()
  removeTempDirs()
})

describe('export plgd', () => {
  it('refuses a non-empty --out before rotating anything', async () => {
    const busy = makeTempDir()
    writeFileSync(join(busy, 'x'), 'x')
    const before = await cliJson<ClientView>(['clients', 'show', 'dps'], { dataDir: src })
    const result = await runCli(['export', 'plgd', '--out', busy, '--json'], { dataDir: src })
    expect(result.code).not.toBe(0)
    expect(jsonError(result).message).toMatch(/not empty.*--force/)
    const after = await cliJson<ClientView>(['clients', 'show', 'dps'], { dataDir: src })
    expect(after.secrets).toEqual(before.secrets)
  })

  it('writes owner-only files plgd loads: every rotated secret authenticates, the kid is kept', async () => {
    out = join(work, 'plgd')
    const report = await cliJson<{
      clients: { id: string; outcome: string; reason: string }[]
      key: { kid: string; kidKept: boolean }
      written: string[]
    }>(['export', 'plgd', '--out', out, '--include-private-key', '--grace', '10m'], {
      dataDir: src,
    })
    expect(Object.fromEntries(report.clients.map((c) => [c.id, c.outcome]))).toEqual({
      dps: 'rotated',
      pk: 'skipped',
      users: 'kept',
    })
    expect(report.key).toMatchObject({ kid: importedKid, kidKept: true })
    expect(filesUnder(out)).toEqual([
      'config.yaml',
      'console-sidecar.json',
      'secrets/clients/dps',
      'secrets/signing-key.pem',
      'values.yaml',
    ])
    for (const f of filesUnder(out)) expect(statSync(join(out, f)).mode & 0o777).toBe(0o600)

    // The pod mounts out/secrets at /secrets.
    const config = readFileSync(join(out, 'config.yaml'), 'utf8')
    const served = loadPlgdConfig(config.replaceAll('/secrets/', `${out}/secrets/`), out)
    const secret = readFileSync(join(out, 'secrets/clients/dps'), 'utf8')
    secrets.set('dps', secret)
    expect(
      authenticates(
        served.clients.find((c) => c.id === 'dps')!,
        secret,
      ),
    ).toBe(true)
    expect(served.jwks.keys.map((k) => k.kid)).toEqual([importedKid])
    expect(served.clients.map((c) => c.id)).toEqual(['dps', 'users'])
  })
})

describe('import plgd into a fresh data directory', () => {
  let fresh: string

  it('keeps every policy, the kid and the claim names', async () => {
    fresh = join(work, 'fresh')
    const result = await cliJson<{
      clients: { id: string }[]
      key: { kid: string }
      claims: { ownerClaim: string; deviceIdClaim: string }
    }>(['import', 'plgd', join(out, 'config.yaml')], { dataDir: fresh })
    expect(result.key.kid).toBe(importedKid)
    const status = await cliJson<{ settings: { ownerClaim: string; deviceIdClaim: string } }>(
      ['settings', 'show'],
      { dataDir: src },
    )
    expect(result.claims).toEqual({
      ownerClaim: status.settings.ownerClaim,
      deviceIdClaim: status.settings.deviceIdClaim,
    })
    const before = await cliJson<ClientView[]>(['clients', 'list'], { dataDir: src })
    const after = await cliJson<ClientView[]>(['clients', 'list'], { dataDir: fresh })
    const graduated = before.filter((c) => c.id !== 'pk')
    expect(after.map(policy)).toEqual(graduated.map(policy))
    const keys = await cliJson<KeyView[]>(['keys', 'list'], { dataDir: fresh })
    expect(keys.find((k) => k.state === 'active')?.kid).toBe(importedKid)
  })

  it('serves a token for the new secret that verifies with its JWKS under the same kid', async () => {
    const server = await startServe(fresh)
    try {
      const response = await httpRequest(server.ready.tokenEndpoint, {
        method: 'POST',
        agent: server.agent,
        headers: { 'content-type': FORM, authorization: basicAuth('dps', secrets.get('dps')!) },
        body: 'grant_type=client_credentials&audience=https%3A%2F%2Fhub.example',
      })
      expect(response.status).toBe(200)
      const token = response.json<{ access_token: string }>().access_token
      const jwks = (
        await httpRequest(server.ready.jwksUri, { agent: server.agent })
      ).json<JSONWebKeySet>()
      const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
        issuer: server.ready.issuer,
      })
      expect(protectedHeader.kid).toBe(importedKid)
      expect(payload.client_id).toBe('dps')
    } finally {
      await server.stop()
    }
  }, 60_000)
})

describe('export bundle', () => {
  it('writes discovery without plgd_tokens_endpoint and the live JWKS; keys rotate re-writes it', async () => {
    const dir = join(work, 'bundle')
    await cliJson(['export', 'bundle', '--out', dir], { dataDir: src })
    const wellKnown = join(dir, 'm2m-oauth-server', '.well-known')
    const discovery = JSON.parse(readFileSync(join(wellKnown, 'openid-configuration'), 'utf8'))
    expect(discovery).toHaveProperty('issuer')
    expect(discovery).toHaveProperty('jwks_uri')
    expect(discovery).not.toHaveProperty('plgd_tokens_endpoint')
    const kids = (): string[] =>
      (JSON.parse(readFileSync(join(wellKnown, 'jwks.json'), 'utf8')) as JSONWebKeySet).keys.map(
        (k) => k.kid!,
      )
    const listed = await cliJson<KeyView[]>(['keys', 'list'], { dataDir: src })
    expect(kids().sort()).toEqual(listed.map((k) => k.kid).sort())
    const before = readFileSync(join(wellKnown, 'jwks.json'), 'utf8')

    await cliJson(['keys', 'rotate'], { dataDir: src })
    const rotated = await cliJson<KeyView[]>(['keys', 'list'], { dataDir: src })
    expect(readFileSync(join(wellKnown, 'jwks.json'), 'utf8')).not.toBe(before)
    expect(kids().sort()).toEqual(rotated.map((k) => k.kid).sort())
  })
})
