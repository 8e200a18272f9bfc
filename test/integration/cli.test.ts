// @vitest-environment node
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { compactVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  FORM,
  basicAuth,
  cliJson,
  decodeJwt,
  httpRequest,
  jsonError,
  jsonLines,
  killAllServes,
  makeTempDir,
  removeTempDirs,
  runCli,
  startServe,
  type HttpResponse,
  type ServeHandle,
} from '../helpers/cli.js'
import { PlgdValidator } from '../helpers/plgd-validator.js'
import { openTestApp } from '../helpers/fakes.js'
import { startIssuer } from '../../electron/issuer/issuer-runtime.js'
import { openHeadlessSettings } from '../../electron/app-settings.js'

/** The CLI as an operator and scripts use it: --json output, errors, and live changes. */

const OWNER_CLAIM = 'https://plgd.dev/owner'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

interface Credentials {
  clientId: string
  clientSecret: string
  client: ClientView
}
interface ClientView {
  id: string
  owner: string
  audiences: string[]
  scopes: string[]
  maxLifetimeSeconds: number
  extraClaims: Record<string, unknown>
  tokenType: string
  disabled: boolean
  secrets: { createdAt: number; expiresAt: number | null }[]
}
interface KeyView {
  kid: string
  alg: string
  state: 'active' | 'next' | 'retiring'
  origin: 'generated' | 'imported'
  retireAt: number | null
}
interface IssuedToken {
  accessToken: string
  tokenType: string
  expiresIn: number
  expiresAt: number
  scope: string
  jti: string
}

/** plgd's kid: UUIDv5 (SHA-1) in the X.500 namespace over the SubjectPublicKeyInfo DER. */
function plgdKid(privateKey: KeyObject): string {
  const namespace = Buffer.from('6ba7b8149dad11d180b400c04fd430c8', 'hex')
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' })
  const bytes = createHash('sha1').update(namespace).update(spki).digest().subarray(0, 16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x50
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function byState(keys: KeyView[], state: KeyView['state']): KeyView[] {
  return keys.filter((k) => k.state === state)
}

afterAll(async () => {
  await killAllServes()
  removeTempDirs()
})

describe('--json output', () => {
  let dataDir: string
  beforeAll(() => {
    dataDir = makeTempDir()
  })

  it('clients add --json prints one JSON object with clientId and clientSecret', async () => {
    const result = await runCli(
      ['clients', 'add', '--id', 'json-client', '--owner', '1', '--json'],
      {
        dataDir,
      },
    )
    expect(result.code, result.stderr).toBe(0)
    const lines = jsonLines(result.stdout)
    expect(lines).toHaveLength(1)
    const out = lines[0] as Credentials
    expect(out.clientId).toBe('json-client')
    expect(typeof out.clientSecret).toBe('string')
    expect(out.clientSecret.length).toBeGreaterThanOrEqual(32)
    expect(out.client.owner).toBe('1')
    // Logs may go to stderr, but only as JSON lines.
    jsonLines(result.stderr)
  })

  it(
    'writes errors to stderr as {"error":{code,message}} with a non-zero exit',
    { timeout: 90_000 },
    async () => {
      const missingKey = join(makeTempDir(), 'missing.pem')
      const cases: { args: string[]; code: string; exit?: number }[] = [
        { args: ['clients', 'show', 'nobody'], code: 'not_found' },
        { args: ['clients', 'add', '--id', 'json-client', '--owner', '1'], code: 'already_exists' },
        { args: ['clients', 'add', '--id', 'no-owner'], code: 'invalid_input' },
        { args: ['clients', 'list', '--bogus-flag'], code: 'invalid_input', exit: 2 },
        { args: ['clients', 'show'], code: 'invalid_input', exit: 2 },
        {
          args: ['clients', 'add', '--id', 'x', '--owner', '1', '--lifetime', 'soon'],
          code: 'invalid_input',
        },
        { args: ['clients', 'add', '--id', 'bad id!', '--owner', '1'], code: 'invalid_input' },
        { args: ['token', 'issue', '--client', 'nobody'], code: 'not_found' },
        {
          args: ['token', 'issue', '--client', 'json-client', '--lifetime', '999999'],
          code: 'policy_violation',
        },
        { args: ['keys', 'rotate', '--alg', 'HS256'], code: 'invalid_input' },
        { args: ['keys', 'import', missingKey], code: 'invalid_input' },
        { args: ['clients', 'list', '--vault', 'plaintext'], code: 'invalid_input', exit: 2 },
      ]
      for (const c of cases) {
        const result = await runCli([...c.args, '--json'], { dataDir })
        const label = `${c.args.join(' ')} → ${result.code}\n${result.stderr}`
        expect(result.timedOut, label).toBe(false)
        expect(result.code, label).not.toBe(0)
        if (c.exit !== undefined) expect(result.code, label).toBe(c.exit)
        const error = jsonError(result)
        expect(error.code, label).toBe(c.code)
        expect(error.message.length, label).toBeGreaterThan(0)
      }
    },
  )

  it('reports an unknown command as a JSON error too', async () => {
    const result = await runCli(['frobnicate', '--json'], { dataDir })
    expect(result.code).toBe(2)
    expect(jsonError(result).code).toBe('invalid_input')
  })
})

describe('help', () => {
  it("prints one command's usage for <command> --help, and every command for --help", async () => {
    const dataDir = makeTempDir()
    const one = await runCli(['clients', 'add', '--help'], { dataDir })
    expect(one.code).toBe(0)
    expect(one.stdout.split('\n')[0]).toBe('Usage: plgd-m2m-console clients add --id ID [options]')
    for (const option of ['--owner OWNER', '--allow-device-id', '--trusted-authority URL...'])
      expect(one.stdout).toContain(option)
    expect(one.stdout).not.toContain('token revoke')
    const all = await runCli(['--help'], { dataDir })
    expect(all.code).toBe(0)
    for (const words of ['serve', 'clients add', 'token revoke', 'settings set', 'clock skew'])
      expect(all.stdout).toContain(`\n  ${words}`)
  })
})

describe('managing clients and keys without a running issuer', () => {
  let dataDir: string
  beforeAll(() => {
    dataDir = makeTempDir()
  })

  const opsToken = ['token', 'issue', '--client', 'ops', '--audience', 'https://api.example']
  let added: Credentials

  it('adds a client with its policy, lists it and shows it without secrets', async () => {
    added = await cliJson<Credentials>(
      [
        'clients',
        'add',
        '--id',
        'ops',
        '--owner',
        'tenant-a',
        '--audience',
        'https://api.example',
        '--scope',
        'r:*',
        '--scope',
        'w:*',
        '--lifetime',
        '900',
        '--claim',
        'hardcodedClaim=true',
        '--typ',
        'at+jwt',
      ],
      { dataDir },
    )
    expect(added.client).toMatchObject({
      id: 'ops',
      owner: 'tenant-a',
      audiences: ['https://api.example'],
      scopes: ['r:*', 'w:*'],
      maxLifetimeSeconds: 900,
      extraClaims: { hardcodedClaim: true },
      tokenType: 'at+jwt',
      disabled: false,
    })

    const list = await cliJson<ClientView[]>(['clients', 'list'], { dataDir })
    expect(list.map((c) => c.id)).toContain('ops')

    const shown = await cliJson<ClientView>(['clients', 'show', 'ops'], { dataDir })
    expect(shown.secrets).toHaveLength(1)
    const shownText = JSON.stringify(shown)
    expect(shownText).not.toContain(added.clientSecret)
    expect(shownText).not.toContain('hash')
  })

  it('token issue applies the client policy', async () => {
    const token = await cliJson<IssuedToken>([...opsToken, '--name', 'cli'], { dataDir })
    expect(token.jti).toMatch(UUID)
    expect(token.expiresIn).toBeGreaterThan(890)
    expect(token.expiresIn).toBeLessThanOrEqual(900)
    const { header, payload } = decodeJwt(token.accessToken)
    expect(header.typ).toBe('at+jwt')
    expect(payload).toMatchObject({
      jti: token.jti,
      sub: 'tenant-a',
      client_id: 'ops',
      scope: 'r:* w:*',
      name: 'cli',
      hardcodedClaim: true,
      [OWNER_CLAIM]: 'tenant-a',
    })
    expect(payload.exp).toBe(token.expiresAt)
  })

  it('rotate-secret replaces the secret, or keeps the old one for --grace', async () => {
    const rotated = await cliJson<Credentials>(['clients', 'rotate-secret', 'ops'], { dataDir })
    expect(rotated.clientId).toBe('ops')
    expect(rotated.clientSecret).not.toBe(added.clientSecret)
    expect(rotated.client.secrets).toHaveLength(1)
    const graced = await cliJson<Credentials>(
      ['clients', 'rotate-secret', 'ops', '--grace', '300'],
      {
        dataDir,
      },
    )
    expect(graced.client.secrets).toHaveLength(2)
    expect(graced.client.secrets.filter((s) => s.expiresAt !== null)).toHaveLength(1)
  })

  it('disable stops token issue; enable restores it', async () => {
    const disabled = await cliJson<ClientView>(['clients', 'disable', 'ops'], { dataDir })
    expect(disabled.disabled).toBe(true)
    const refused = await runCli([...opsToken, '--json'], { dataDir })
    expect(refused.code).not.toBe(0)
    expect(jsonError(refused).code).toBe('policy_violation')

    const enabled = await cliJson<ClientView>(['clients', 'enable', 'ops'], { dataDir })
    expect(enabled.disabled).toBe(false)
    await cliJson(opsToken, { dataDir })
  })

  it('remove deletes the client', async () => {
    expect(await cliJson(['clients', 'remove', 'ops'], { dataDir })).toEqual({ removed: true })
    const gone = await runCli(['clients', 'show', 'ops', '--json'], { dataDir })
    expect(jsonError(gone).code).toBe('not_found')
    const after = await cliJson<ClientView[]>(['clients', 'list'], { dataDir })
    expect(after.map((c) => c.id)).not.toContain('ops')
  })

  it('clients add and settings set both trust an authority with --trusted-authority', async () => {
    const caFile = join(makeTempDir(), 'ca.pem')
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n')
    const authority = 'https://auth.example.lan'
    const ui = await cliJson<{ clientId: string; client: { auth: unknown } }>(
      ['clients', 'add', '--id', 'ui', '--trusted-authority', authority, '--trusted-ca', caFile],
      { dataDir },
    )
    expect(ui).not.toHaveProperty('clientSecret')
    expect(ui.client.auth).toMatchObject({
      method: 'user_assertion',
      authorities: [{ authority, caPem: expect.stringContaining('BEGIN CERTIFICATE') }],
    })
    const set = await cliJson<{ trustedAuthorities: { authority: string; caPem?: string }[] }>(
      ['settings', 'set', '--trusted-authority', authority, '--trusted-ca', caFile],
      { dataDir },
    )
    expect(set.trustedAuthorities).toEqual([
      { authority, caPem: expect.stringContaining('BEGIN CERTIFICATE') },
    ])
    const cleared = await cliJson<{ trustedAuthorities: unknown[] }>(
      ['settings', 'set', '--trusted-authority', ''],
      { dataDir },
    )
    expect(cleared.trustedAuthorities).toEqual([])
  })

  it('an integer option that is not one says which option and what it takes', async () => {
    const port = await runCli(['settings', 'set', '--port', 'eighty', '--json'], { dataDir })
    expect(port.code).toBe(1)
    expect(jsonError(port)).toEqual({
      code: 'invalid_input',
      message: '--port takes a port number (0-65535), not eighty',
    })
    const limit = await runCli(['token', 'list', '--limit', 'all', '--json'], { dataDir })
    expect(jsonError(limit).message).toBe('--limit takes a whole number, not all')
  })

  it('lists keys and rotates: next becomes active, active retires, a new next appears', async () => {
    await cliJson(['clients', 'add', '--id', 'signer', '--owner', '1'], { dataDir })
    const before = await cliJson<KeyView[]>(['keys', 'list'], { dataDir })
    expect(byState(before, 'active')).toHaveLength(1)
    expect(byState(before, 'next')).toHaveLength(1)
    const [active] = byState(before, 'active')
    const [next] = byState(before, 'next')

    const after = await cliJson<KeyView[]>(['keys', 'rotate'], { dataDir })
    expect(byState(after, 'active').map((k) => k.kid)).toEqual([next!.kid])
    const retiring = after.find((k) => k.kid === active!.kid)
    expect(retiring?.state).toBe('retiring')
    expect(retiring?.retireAt).toBeGreaterThan(Date.now() / 1000)
    const fresh = byState(after, 'next')
    expect(fresh).toHaveLength(1)
    expect([active!.kid, next!.kid]).not.toContain(fresh[0]!.kid)

    expect(await cliJson<KeyView[]>(['keys', 'list'], { dataDir })).toEqual(after)
    const token = await cliJson<IssuedToken>(['token', 'issue', '--client', 'signer'], { dataDir })
    expect(decodeJwt(token.accessToken).header.kid).toBe(next!.kid)
  })
})

describe('a running issuer takes CLI changes at once', () => {
  let dataDir: string
  let server: ServeHandle
  let validator: PlgdValidator

  const requestToken = (clientId: string, secret: string): Promise<HttpResponse> =>
    httpRequest(server.ready.tokenEndpoint, {
      method: 'POST',
      agent: server.agent,
      headers: { 'content-type': FORM, authorization: basicAuth(clientId, secret) },
      body: 'grant_type=client_credentials',
    })

  const tokenOf = async (clientId: string, secret: string): Promise<string> => {
    const res = await requestToken(clientId, secret)
    expect(res.status, res.text).toBe(200)
    return res.json<{ access_token: string }>().access_token
  }

  const jwksKids = async (): Promise<string[]> => {
    const res = await httpRequest(server.ready.jwksUri, { agent: server.agent })
    expect(res.status).toBe(200)
    return res.json<{ keys: { kid: string }[] }>().keys.map((k) => k.kid)
  }

  beforeAll(async () => {
    dataDir = makeTempDir()
    await cliJson(['clients', 'add', '--id', 'before-serve', '--owner', '1'], { dataDir })
    server = await startServe(dataDir)
    validator = await PlgdValidator.create({ authority: server.ready.issuer, ca: server.ca! })
  })

  afterAll(async () => {
    validator?.close()
    await server?.stop()
  })

  it('a client added while serving gets a token at once', async () => {
    const added = await cliJson<Credentials>(
      ['clients', 'add', '--id', 'live', '--owner', 'live-owner'],
      {
        dataDir,
      },
    )
    const token = await tokenOf(added.clientId, added.clientSecret)
    expect((await validator.validate(token)).owner).toBe('live-owner')
  })

  it('disable refuses the next request with 401; enable restores it', async () => {
    const c = await cliJson<Credentials>(['clients', 'add', '--id', 'toggled', '--owner', '1'], {
      dataDir,
    })
    await tokenOf(c.clientId, c.clientSecret)
    await cliJson(['clients', 'disable', 'toggled'], { dataDir })
    expect((await requestToken(c.clientId, c.clientSecret)).status).toBe(401)
    await cliJson(['clients', 'enable', 'toggled'], { dataDir })
    await tokenOf(c.clientId, c.clientSecret)
  })

  it('rotate-secret ends the old secret at once; remove ends the client', async () => {
    const c = await cliJson<Credentials>(['clients', 'add', '--id', 'rotated', '--owner', '1'], {
      dataDir,
    })
    const r = await cliJson<Credentials>(['clients', 'rotate-secret', 'rotated'], { dataDir })
    expect((await requestToken(c.clientId, c.clientSecret)).status).toBe(401)
    await tokenOf(r.clientId, r.clientSecret)
    await cliJson(['clients', 'remove', 'rotated'], { dataDir })
    expect((await requestToken(r.clientId, r.clientSecret)).status).toBe(401)
  })

  it('an error from the running issuer is reported once, as the only stderr line', async () => {
    const cases: { args: string[]; code: string }[] = [
      { args: ['clients', 'show', 'nobody'], code: 'not_found' },
      { args: ['token', 'issue', '--client', 'nobody'], code: 'not_found' },
    ]
    for (const c of cases) {
      const result = await runCli([...c.args, '--json'], { dataDir })
      const label = `${c.args.join(' ')} → ${result.code}\n${result.stderr}`
      expect(result.code, label).toBe(1)
      expect(jsonError(result).code, label).toBe(c.code)
      expect(jsonLines(result.stderr), label).toHaveLength(1)
    }
  })

  it('token issue goes through the running issuer: its iss and JWKS', async () => {
    const issued = await cliJson<IssuedToken>(['token', 'issue', '--client', 'before-serve'], {
      dataDir,
    })
    const valid = await validator.validate(issued.accessToken)
    expect(valid.claims.iss).toBe(server.ready.issuer)
    expect(valid.claims.jti).toBe(issued.jti)
  })

  it('keys rotate: new tokens carry the pre-published next kid', async () => {
    const keys = await cliJson<KeyView[]>(['keys', 'list'], { dataDir })
    const next = byState(keys, 'next')[0]!
    const oldActive = byState(keys, 'active')[0]!
    const c = await cliJson<Credentials>(['clients', 'add', '--id', 'kid-check', '--owner', '1'], {
      dataDir,
    })
    expect(decodeJwt(await tokenOf(c.clientId, c.clientSecret)).header.kid).toBe(oldActive.kid)
    // Validators that cached the JWKS already know the key that will sign next.
    expect(await jwksKids()).toContain(next.kid)

    const rotated = await cliJson<KeyView[]>(['keys', 'rotate'], { dataDir })
    expect(byState(rotated, 'active')[0]?.kid).toBe(next.kid)
    const token = await tokenOf(c.clientId, c.clientSecret)
    expect(decodeJwt(token).header.kid).toBe(next.kid)
    await validator.validate(token)
    // Tokens the old key signed stay verifiable while it retires.
    expect(await jwksKids()).toContain(oldActive.kid)
  })

  it('keys import: a SEC1 PEM keeps plgd’s kid, and --activate makes it sign', async () => {
    const c = await cliJson<Credentials>(
      ['clients', 'add', '--id', 'imported-key', '--owner', '7'],
      {
        dataDir,
      },
    )
    const pemDir = makeTempDir()

    const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey
    const p256File = join(pemDir, 'p256.pem')
    const p256Pem = p256.export({ format: 'pem', type: 'sec1' }) as string
    expect(p256Pem).toMatch(/^-----BEGIN EC PRIVATE KEY-----/)
    writeFileSync(p256File, p256Pem, { mode: 0o600 })
    const asNext = await cliJson<KeyView>(['keys', 'import', p256File], { dataDir })
    expect(asNext).toMatchObject({
      kid: plgdKid(p256),
      alg: 'ES256',
      state: 'next',
      origin: 'imported',
    })
    expect(asNext.kid).toMatch(UUID)
    expect(await jwksKids()).toContain(asNext.kid)
    expect(decodeJwt(await tokenOf(c.clientId, c.clientSecret)).header.kid).not.toBe(asNext.kid)

    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey
    const p384File = join(pemDir, 'p384.pem')
    writeFileSync(p384File, p384.export({ format: 'pem', type: 'sec1' }), { mode: 0o600 })
    const activated = await cliJson<KeyView>(['keys', 'import', p384File, '--activate'], {
      dataDir,
    })
    expect(activated).toMatchObject({
      kid: plgdKid(p384),
      alg: 'ES384',
      state: 'active',
      origin: 'imported',
    })

    const token = await tokenOf(c.clientId, c.clientSecret)
    const { header } = decodeJwt(token)
    expect(header.kid).toBe(plgdKid(p384))
    expect(header.alg).toBe('ES384')
    const valid = await validator.validate(token)
    expect(valid.owner).toBe('7')
    expect(valid.jwk.kid).toBe(plgdKid(p384))
    // And it really is that key's signature.
    await expect(
      compactVerify(token, createPublicKey(p384), { algorithms: ['ES384'] }),
    ).resolves.toBeDefined()

    const again = await runCli(['keys', 'import', p384File, '--json'], { dataDir })
    expect(again.code).not.toBe(0)
    expect(jsonError(again).code).toBe('already_exists')
  })

  it('a second serve on the same data directory fails with data_dir_locked', async () => {
    const second = await runCli(['serve', '--listen', '127.0.0.1:0', '--json'], {
      dataDir,
      timeoutMs: 15_000,
    })
    expect(second.timedOut).toBe(false)
    expect(second.code).not.toBe(0)
    expect(jsonError(second).code).toBe('data_dir_locked')
    // The first one still serves.
    await tokenOf(
      'live',
      (await cliJson<Credentials>(['clients', 'rotate-secret', 'live'], { dataDir })).clientSecret,
    )
  })
})

describe('serve refuses to expose the issuer carelessly', () => {
  it('refuses --listen 0.0.0.0:0 without --public-host', async () => {
    const dataDir = makeTempDir()
    const result = await runCli(['serve', '--listen', '0.0.0.0:0', '--json'], {
      dataDir,
      timeoutMs: 15_000,
    })
    expect(result.timedOut, 'serve started listening').toBe(false)
    expect(result.code).not.toBe(0)
    const error = jsonError(result)
    expect(error.code).toBe('invalid_input')
    expect(error.message).toContain('--public-host')
  })

  it('refuses --insecure-http off loopback, even with --public-host', async () => {
    const dataDir = makeTempDir()
    const result = await runCli(
      [
        'serve',
        '--listen',
        '0.0.0.0:0',
        '--public-host',
        'console.test',
        '--insecure-http',
        '--json',
      ],
      { dataDir, timeoutMs: 15_000 },
    )
    expect(result.timedOut, 'serve started listening').toBe(false)
    expect(result.code).not.toBe(0)
    const error = jsonError(result)
    expect(error.code).toBe('invalid_input')
    expect(error.message).toMatch(/loopback/)
  })

  it('serves plain HTTP on loopback with --insecure-http', async () => {
    const dataDir = makeTempDir()
    const server = await startServe(dataDir, ['--insecure-http'])
    try {
      expect(server.ready.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/m2m-oauth-server$/)
      expect(server.ready.caCertFile).toBeNull()
      const res = await httpRequest(`${server.ready.issuer}/.well-known/openid-configuration`)
      expect(res.status).toBe(200)
      expect(res.json<{ issuer: string }>().issuer).toBe(server.ready.issuer)
    } finally {
      await server.stop()
    }
  })
})

describe('settings: valid values, station mode, a stable issuer URL', () => {
  it('a data directory made by a CLI command is set up: the console skips the wizard', async () => {
    const dataDir = makeTempDir()
    const added = await runCli(['clients', 'add', '--id', 'first', '--owner', '1'], { dataDir })
    expect(added.code, added.stderr).toBe(0)
    expect(openHeadlessSettings(dataDir).get('setupCompleted')).toBe(true)
  })

  it('settings set refuses a bad host and a negative port, naming the option', async () => {
    const dataDir = makeTempDir()
    const host = await runCli(['settings', 'set', '--public-host', 'bad host!', '--json'], {
      dataDir,
    })
    expect(host.code).toBe(1)
    expect(jsonError(host).message).toMatch(/^--public-host takes a host name .* not bad host!$/)
    const listen = await runCli(['settings', 'set', '--listen-host', 'my station.local'], {
      dataDir,
    })
    expect(listen.stderr).toMatch(/--listen-host takes a host name/)
    const port = await runCli(['settings', 'set', '--port=-5', '--json'], { dataDir })
    expect(jsonError(port).message).toMatch(/^--port takes .*not -5$/)
    const shown = await cliJson<{ settings: { publicHost: string | null; port: number } }>(
      ['settings', 'show'],
      { dataDir },
    )
    expect(shown.settings).toMatchObject({ publicHost: null, port: 8443 })
  })

  it('settings set warns when the issuer URL changes: what breaks and what hubs must update', async () => {
    const dataDir = makeTempDir()
    const result = await runCli(['settings', 'set', '--public-host', 'station.local'], {
      dataDir,
    })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain(
      'the issuer URL changes from https://127.0.0.1:8443/m2m-oauth-server to https://station.local:8443/m2m-oauth-server',
    )
    expect(result.stdout).toContain('authorization.endpoints[].authority')
    const quiet = await runCli(['settings', 'set', '--iat-backdate', '2'], { dataDir })
    expect(quiet.stdout).not.toContain('issuer URL changes')
  })

  it('serve honours a stored station setting: discovery advertises the tokens endpoint', async () => {
    const dataDir = makeTempDir()
    await cliJson(['settings', 'set', '--station'], { dataDir })
    const server = await startServe(dataDir, ['--insecure-http'])
    try {
      const res = await httpRequest(`${server.ready.issuer}/.well-known/openid-configuration`)
      expect(res.json<{ plgd_tokens_endpoint?: string }>().plgd_tokens_endpoint).toBe(
        `${server.ready.issuer}/api/v1/tokens`,
      )
    } finally {
      await server.stop()
    }
  })

  it('a stored port 0 becomes the port bound, so the issuer URL survives a restart', async () => {
    const t = await openTestApp()
    try {
      t.app.settings.set('issuer', { ...t.app.issuerSettings(), port: 0 })
      const first = await startIssuer(t.app, { insecureHttp: true })
      const bound = Number(new URL(first.ready.issuer).port)
      await first.stop()
      expect(bound).toBeGreaterThan(0)
      expect(t.app.issuerSettings().port).toBe(bound)
      const second = await startIssuer(t.app, { insecureHttp: true })
      try {
        expect(second.ready.issuer).toBe(first.ready.issuer)
      } finally {
        await second.stop()
      }
    } finally {
      t.close()
    }
  })
})

describe('stopping serve', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} stops serve with exit 0 and releases the data directory`, async () => {
      const dataDir = makeTempDir()
      const server = await startServe(dataDir)
      const info = await server.stop(signal)
      expect(info.code).toBe(0)
      // --json: stdout held the ready line and nothing else.
      expect(jsonLines(server.stdout())).toEqual([server.ready])
      jsonLines(server.stderr())
      expect(existsSync(join(dataDir, 'control.sock'))).toBe(false)
      // The lock is free: a command runs directly on the directory.
      await cliJson(['clients', 'list'], { dataDir })
    })
  }
})
