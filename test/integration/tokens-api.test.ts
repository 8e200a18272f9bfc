// @vitest-environment node
import { writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import { join } from 'node:path'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureTls } from '../../electron/tls/local-ca.js'
import {
  FORM,
  basicAuth,
  cliJson,
  decodeJwt,
  httpRequest,
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

/**
 * plgd's tokens API (interop §1.4, §1.7) and the token-trust verification a hub performs against
 * it (§2.5), on an issuer started with `serve --station`, seen as a hub, the hub web UI and a
 * user of the customer's OAuth authority see it.
 */

// Interop §1.7/§1.9 example values: owner `1`, owner claim https://plgd.dev/owner.
const OWNER_CLAIM = 'https://plgd.dev/owner'
const PROTOJSON = 'application/protojson'
const TOKEN_FIELDS = [
  'audience',
  'blacklisted',
  'clientId',
  'expiration',
  'id',
  'issuedAt',
  'name',
  'originalTokenClaims',
  'owner',
  'scope',
  'subject',
  'version',
]

interface Credentials {
  clientId: string
  clientSecret: string
}

interface Issued {
  token: string
  jti: string
  claims: Record<string, unknown>
}

interface TokenMessage {
  id: string
  version: string
  name: string
  owner: string
  issuedAt: string
  audience: string[]
  scope: string[]
  expiration: string
  clientId: string
  originalTokenClaims: unknown
  blacklisted: { flag: boolean; timestamp: string } | null
  subject: string
}

interface StatusBody {
  code: number
  message: string
  details: unknown[]
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

let dataDir: string
let station: ServeHandle
let endpoint: string
let authority: FakeAuthority
const creds: Record<'c1' | 'c2' | 'c3', Credentials> = {} as Record<'c1' | 'c2' | 'c3', Credentials>
/** Minted at start to expire within 2 s: the tests that need them expired wait for that. */
let shortLived: Issued
let shortLivedOwner3: Issued

// ---------------------------------------------------------------------------------------------
// A customer OAuth authority (HTTPS on 127.0.0.1) whose users may call the tokens API.

interface FakeAuthority {
  issuer: string
  caFile: string
  sign(claims: Record<string, unknown>, key?: { key: CryptoKey; kid: string }): Promise<string>
  close(): Promise<void>
}

async function startFakeAuthority(dir: string): Promise<FakeAuthority> {
  const sealer = {
    seal: (plaintext: Buffer): string => plaintext.toString('base64'),
    open: (sealed: string): Buffer => Buffer.from(sealed, 'base64'),
  }
  const { material } = await ensureTls({
    stored: undefined,
    hosts: ['127.0.0.1'],
    now: new Date(),
    sealer,
  })
  const caFile = join(dir, 'authority-ca.pem')
  writeFileSync(caFile, material.caCertPem)
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const kid = 'customer-authority-key-1'
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }
  let issuer = ''
  const server: Server = createServer(
    { key: material.keyPem, cert: material.certPem },
    (req, res) => {
      const path = new URL(req.url ?? '/', 'https://x').pathname
      const send = (body: unknown): void => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      }
      if (path === '/auth/.well-known/openid-configuration') {
        send({ issuer, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks` })
      } else if (path === '/auth/jwks') send({ keys: [jwk] })
      else {
        res.writeHead(404)
        res.end()
      }
    },
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  issuer = `https://127.0.0.1:${port}/auth`
  return {
    issuer,
    caFile,
    sign: (claims, signer = { key: privateKey, kid }) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: signer.kid }).sign(signer.key),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A user token of the customer authority (no owner claim unless given). */
function userToken(extra: Record<string, unknown> = {}): Promise<string> {
  const now = nowSeconds()
  return authority.sign({
    iss: authority.issuer,
    sub: 'user-42',
    iat: now,
    exp: now + 300,
    ...extra,
  })
}

// ---------------------------------------------------------------------------------------------
// Requests

async function issue(client: Credentials, extra: Record<string, string> = {}): Promise<Issued> {
  const res = await httpRequest(station.ready.tokenEndpoint, {
    method: 'POST',
    agent: station.agent,
    headers: {
      'content-type': FORM,
      authorization: basicAuth(client.clientId, client.clientSecret),
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...extra }).toString(),
  })
  expect(res.status, res.text).toBe(200)
  const token = res.json<{ access_token: string }>().access_token
  const { payload } = decodeJwt(token)
  return { token, jti: String(payload.jti), claims: payload }
}

interface ApiCall {
  method?: 'GET' | 'DELETE'
  bearer: string
  ids?: string[]
  includeBlacklisted?: boolean
  accept?: string
  /** The scheme word, as sent; hubs send lowercase `bearer`. */
  scheme?: string
}

/** The query is built as Go's url.Values.Encode() builds it: keys in alphabetical order. */
function tokensApi(call: ApiCall): Promise<HttpResponse> {
  const query = new URLSearchParams()
  for (const id of call.ids ?? []) query.append('idFilter', id)
  if (call.includeBlacklisted) query.append('includeBlacklisted', 'true')
  const qs = query.toString()
  const headers: Record<string, string> = {
    authorization: `${call.scheme ?? 'bearer'} ${call.bearer}`,
  }
  if (call.accept !== undefined) headers.accept = call.accept
  return httpRequest(qs ? `${endpoint}?${qs}` : endpoint, {
    method: call.method ?? 'GET',
    agent: station.agent,
    headers,
  })
}

/** Exactly the §2.5 request: GET ?idFilter=<jti>&includeBlacklisted=true, protojson, bearer. */
function hubTrustRequest(token: string, jti: string): Promise<HttpResponse> {
  return tokensApi({ bearer: token, ids: [jti], includeBlacklisted: true, accept: PROTOJSON })
}

/** The stream of `{"result": Token}` values (an empty body is an empty stream). */
function results(res: HttpResponse): TokenMessage[] {
  expect(res.status, res.text).toBe(200)
  return jsonLines(res.text).map((item) => {
    expect(Object.keys(item as object)).toEqual(['result'])
    return (item as { result: TokenMessage }).result
  })
}

function expectStatus(res: HttpResponse, status: number, code: number): StatusBody {
  expect(res.status, res.text).toBe(status)
  expect(res.headers['content-type']).toMatch(/^application\/json/)
  const body = res.json<StatusBody>()
  expect(body.code).toBe(code)
  expect(typeof body.message).toBe('string')
  expect(body.details).toEqual([])
  return body
}

/** Waits (bounded) until the issuer's clock has passed `exp`, so the record counts as expired. */
async function waitUntilAfter(exp: number): Promise<void> {
  for (let i = 0; i < 60 && nowSeconds() <= exp; i++) await sleep(100)
  expect(nowSeconds()).toBeGreaterThan(exp)
}

// ---------------------------------------------------------------------------------------------

let plainDiscovery: Record<string, unknown>

beforeAll(async () => {
  dataDir = makeTempDir()
  const plainDir = makeTempDir()
  authority = await startFakeAuthority(makeTempDir())
  const setUpStation = async (): Promise<void> => {
    for (const [id, owner] of [
      ['c1', '1'],
      ['c2', '2'],
      ['c3', '3'],
    ] as const) {
      creds[id] = await cliJson<Credentials>(['clients', 'add', '--id', id, '--owner', owner], {
        dataDir,
      })
    }
    await cliJson(
      [
        'settings',
        'set',
        '--trusted-authority',
        authority.issuer,
        '--trusted-ca',
        authority.caFile,
      ],
      { dataDir },
    )
    station = await startServe(dataDir, ['--station'])
  }
  // A plain serve (no --station) on its own data directory, started meanwhile.
  const plainDiscoveryDoc = async (): Promise<Record<string, unknown>> => {
    const plain = await startServe(plainDir)
    try {
      const res = await httpRequest(`${plain.ready.issuer}/.well-known/openid-configuration`, {
        agent: plain.agent,
      })
      expect(res.status).toBe(200)
      return res.json()
    } finally {
      await plain.stop()
    }
  }
  ;[plainDiscovery] = await Promise.all([plainDiscoveryDoc(), setUpStation()])
  endpoint = `${station.ready.issuer}/api/v1/tokens`
  // Each expiration computed just before its request, 2 s ahead: a loaded machine may cross a
  // second boundary between the two, and an expiration that is already "now" is refused.
  shortLived = await issue(creds.c1, { expiration: String(nowSeconds() + 2) })
  shortLivedOwner3 = await issue(creds.c3, { expiration: String(nowSeconds() + 2) })
})

afterAll(async () => {
  try {
    await station?.stop()
  } finally {
    await authority?.close()
    await killAllServes()
    removeTempDirs()
  }
})

describe('discovery', () => {
  it('advertises plgd_tokens_endpoint with --station, and not without it', async () => {
    const res = await httpRequest(`${station.ready.issuer}/.well-known/openid-configuration`, {
      agent: station.agent,
    })
    expect(res.status).toBe(200)
    expect(res.json()).toEqual({
      issuer: station.ready.issuer,
      token_endpoint: station.ready.tokenEndpoint,
      jwks_uri: station.ready.jwksUri,
      plgd_tokens_endpoint: `${station.ready.issuer}/api/v1/tokens`,
    })
    expect(plainDiscovery).not.toHaveProperty('plgd_tokens_endpoint')
    expect(typeof plainDiscovery.issuer).toBe('string')
    expect(typeof plainDiscovery.jwks_uri).toBe('string')
  })
})

describe('GET /api/v1/tokens as a hub asks it (interop §2.5)', () => {
  it('answers the exact trust request with one {"result": Token} holding every field', async () => {
    const { token, jti, claims } = await issue(creds.c1)
    const res = await hubTrustRequest(token, jti)
    expect(res.status, res.text).toBe(200)
    // grpc-gateway reports its protojson marshaller as application/jsonpb (interop §0).
    expect(res.headers['content-type']).toMatch(/^application\/jsonpb/)
    const items = results(res)
    expect(items).toHaveLength(1)
    const record = items[0]!
    expect(Object.keys(record).sort()).toEqual(TOKEN_FIELDS)
    expect(record).toEqual({
      id: jti,
      version: '0',
      name: '',
      owner: '1',
      issuedAt: String(claims.iat),
      audience: [],
      scope: [],
      expiration: String(claims.exp),
      clientId: 'c1',
      originalTokenClaims: null,
      blacklisted: null,
      subject: '1',
    })
  })

  it('strips empty fields under the default Accept, keeping version "0"', async () => {
    const { token, jti, claims } = await issue(creds.c1)
    for (const accept of [undefined, 'application/json']) {
      const res = await tokensApi({ bearer: token, ids: [jti], includeBlacklisted: true, accept })
      expect(res.headers['content-type']).toMatch(/^application\/json/)
      expect(results(res)).toEqual([
        {
          id: jti,
          version: '0',
          owner: '1',
          issuedAt: String(claims.iat),
          expiration: String(claims.exp),
          clientId: 'c1',
          subject: '1',
        },
      ])
    }
  })

  it('takes the Bearer scheme in any case', async () => {
    const { token, jti } = await issue(creds.c1)
    for (const scheme of ['bearer', 'Bearer', 'BEARER']) {
      const items = results(await tokensApi({ bearer: token, ids: [jti], scheme }))
      expect(items.map((r) => r.id)).toEqual([jti])
    }
  })

  it('refuses a request without a valid bearer token with 401 code 16', async () => {
    const { token, jti } = await issue(creds.c1)
    const noAuth = await httpRequest(`${endpoint}?idFilter=${jti}`, { agent: station.agent })
    expectStatus(noAuth, 401, 16)
    const [h, p, s] = token.split('.') as [string, string, string]
    const tampered = `${h}.${p}.${s.slice(0, -4)}AAAA`
    expectStatus(await tokensApi({ bearer: tampered, ids: [jti] }), 401, 16)
    const basic = await httpRequest(`${endpoint}?idFilter=${jti}`, {
      agent: station.agent,
      headers: { authorization: basicAuth(creds.c1.clientId, creds.c1.clientSecret) },
    })
    expectStatus(basic, 401, 16)
  })

  it('answers 400 code 3 to a trusted user token without the owner claim', async () => {
    const { jti } = await issue(creds.c1)
    const noOwner = await userToken()
    const body = expectStatus(await tokensApi({ bearer: noOwner, ids: [jti] }), 400, 3)
    expect(body.message).toContain(OWNER_CLAIM)

    // Control: the same authority's token with the owner claim lists that owner's records...
    const owner1 = await userToken({ [OWNER_CLAIM]: '1' })
    expect(results(await tokensApi({ bearer: owner1, ids: [jti] })).map((r) => r.id)).toEqual([jti])
    // ...and one signed by a key the authority does not publish is refused.
    const rogue = await generateKeyPair('ES256')
    const forged = await authority.sign(
      { iss: authority.issuer, sub: 'user-42', [OWNER_CLAIM]: '1', iat: nowSeconds() },
      { key: rogue.privateKey, kid: 'customer-authority-key-1' },
    )
    expectStatus(await tokensApi({ bearer: forged, ids: [jti] }), 401, 16)
  })
})

describe('owner scoping', () => {
  it("shows and changes only the bearer owner's records", async () => {
    const one = await issue(creds.c1)
    const two = await issue(creds.c2)

    // Owner 2 asks about owner 1's token: an empty stream, not the record.
    const foreign = await hubTrustRequest(two.token, one.jti)
    expect(foreign.status).toBe(200)
    expect(foreign.text.trim()).toBe('')

    // Listing without a filter: owner 2's records only.
    const listed = results(await tokensApi({ bearer: two.token, includeBlacklisted: true }))
    expect(listed.map((r) => r.id)).toContain(two.jti)
    expect(listed.map((r) => r.id)).not.toContain(one.jti)
    expect(listed.every((r) => r.owner === '2')).toBe(true)

    // Owner 2 cannot blacklist owner 1's token.
    const del = await tokensApi({ method: 'DELETE', bearer: two.token, ids: [one.jti] })
    expect(del.status, del.text).toBe(200)
    expect(del.json()).toEqual({ blacklistedCount: '0', deletedCount: '0' })
    const still = results(await hubTrustRequest(one.token, one.jti))
    expect(still[0]?.blacklisted).toBeNull()
  })
})

describe('DELETE /api/v1/tokens', () => {
  it('blacklists the token named by idFilter, once and for good', async () => {
    const victim = await issue(creds.c1)
    const caller = await issue(creds.c1)
    const before = nowSeconds()
    const res = await tokensApi({ method: 'DELETE', bearer: caller.token, ids: [victim.jti] })
    const after = nowSeconds()
    expect(res.status, res.text).toBe(200)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(res.json()).toEqual({ blacklistedCount: '1', deletedCount: '0' })

    // One-way: a second DELETE finds nothing left to blacklist, and the record stays blacklisted.
    const again = await tokensApi({ method: 'DELETE', bearer: caller.token, ids: [victim.jti] })
    expect(again.json()).toEqual({ blacklistedCount: '0', deletedCount: '0' })
    const [record] = results(await hubTrustRequest(caller.token, victim.jti))
    expect(record?.id).toBe(victim.jti)
    expect(record?.blacklisted?.flag).toBe(true)
    expect(typeof record?.blacklisted?.timestamp).toBe('string')
    expect(Number(record?.blacklisted?.timestamp)).toBeGreaterThanOrEqual(before)
    expect(Number(record?.blacklisted?.timestamp)).toBeLessThanOrEqual(after)

    // Without includeBlacklisted the record is left out.
    expect(results(await tokensApi({ bearer: caller.token, ids: [victim.jti] }))).toEqual([])
    // The caller's own token is untouched.
    expect(results(await hubTrustRequest(caller.token, caller.jti))[0]?.blacklisted).toBeNull()
  })

  it('lets a revoked token read its own record (flag true) and nothing else', async () => {
    const revoked = await issue(creds.c1)
    const other = await issue(creds.c1)
    const del = await tokensApi({ method: 'DELETE', bearer: other.token, ids: [revoked.jti] })
    expect(del.json()).toEqual({ blacklistedCount: '1', deletedCount: '0' })

    const self = await hubTrustRequest(revoked.token, revoked.jti)
    const [own] = results(self)
    expect(own?.id).toBe(revoked.jti)
    expect(own?.blacklisted?.flag).toBe(true)

    const aboutOther = await hubTrustRequest(revoked.token, other.jti)
    expect(expectStatus(aboutOther, 401, 16).message).toMatch(/blacklisted/)
    expectStatus(await tokensApi({ bearer: revoked.token }), 401, 16)
    expectStatus(await tokensApi({ bearer: revoked.token, ids: [revoked.jti, other.jti] }), 401, 16)
    const delByRevoked = await tokensApi({
      method: 'DELETE',
      bearer: revoked.token,
      ids: [other.jti],
    })
    expectStatus(delByRevoked, 401, 16)
    expect(results(await hubTrustRequest(other.token, other.jti))[0]?.blacklisted).toBeNull()
  })

  it("without idFilter blacklists the owner's live tokens, deletes its expired ones, no one else's", async () => {
    const a = await issue(creds.c3)
    const b = await issue(creds.c3)
    const c = await issue(creds.c3)
    const bystander = await issue(creds.c1)
    const first = await tokensApi({ method: 'DELETE', bearer: b.token, ids: [a.jti] })
    expect(first.json()).toEqual({ blacklistedCount: '1', deletedCount: '0' })
    await waitUntilAfter(Number(shortLivedOwner3.claims.exp))

    // b and c are live: blacklisted; a already is; the expired one is deleted.
    const all = await tokensApi({ method: 'DELETE', bearer: c.token })
    expect(all.status, all.text).toBe(200)
    expect(all.json()).toEqual({ blacklistedCount: '2', deletedCount: '1' })

    // Seen by a user of owner 3 (a trusted-authority token, never blacklisted itself).
    const user3 = await userToken({ [OWNER_CLAIM]: '3' })
    const ids = [a.jti, b.jti, c.jti, shortLivedOwner3.jti]
    const after = results(await tokensApi({ bearer: user3, ids, includeBlacklisted: true }))
    expect(after.map((r) => r.id).sort()).toEqual([a.jti, b.jti, c.jti].sort())
    expect(after.every((r) => r.blacklisted?.flag === true)).toBe(true)
    expect(results(await tokensApi({ bearer: user3 }))).toEqual([])

    // Other owners' tokens are untouched.
    expect(
      results(await hubTrustRequest(bystander.token, bystander.jti))[0]?.blacklisted,
    ).toBeNull()
  })
})

describe('POST /api/v1/tokens (the camelCase twin, interop §1.4)', () => {
  it('issues a token from a protojson body with arrays; credentials come from the body only', async () => {
    const res = await httpRequest(endpoint, {
      method: 'POST',
      agent: station.agent,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        clientId: creds.c1.clientId,
        clientSecret: creds.c1.clientSecret,
        grantType: 'client_credentials',
        audience: [],
        scope: [],
        tokenName: 'twin',
        expiration: String(nowSeconds() + 600),
      }),
    })
    expect(res.status, res.text).toBe(200)
    const body = res.json<Record<string, unknown>>()
    expect(Object.keys(body).sort()).toEqual(['accessToken', 'expiresIn', 'tokenType'])
    expect(body.tokenType).toBe('Bearer')
    expect(body.expiresIn).toMatch(/^\d+$/)
    expect(Number(body.expiresIn)).toBeGreaterThan(590)
    expect(Number(body.expiresIn)).toBeLessThanOrEqual(600)
    const { payload } = decodeJwt(String(body.accessToken))
    expect(payload.name).toBe('twin')
    expect(payload[OWNER_CLAIM]).toBe('1')
    expect(payload.client_id).toBe('c1')

    // No HTTP Basic on the twin: a Basic header alone authenticates nobody.
    const basic = await httpRequest(endpoint, {
      method: 'POST',
      agent: station.agent,
      headers: {
        'content-type': 'application/json',
        authorization: basicAuth(creds.c1.clientId, creds.c1.clientSecret),
      },
      body: JSON.stringify({ clientId: creds.c1.clientId, grantType: 'client_credentials' }),
    })
    expect(basic.status, basic.text).toBe(401)
  })
})

describe('a hub validator with token-trust verification and a 1 s cache', () => {
  it('asks once per jti within the cache and sees a CLI revocation only once it expires', async () => {
    const { token, jti } = await issue(creds.c1)
    const concurrent = await issue(creds.c1)
    // The validator's clock is the test's: moving it on is waiting for the cache to expire,
    // without the race between a real 1 s window and a CLI process start.
    let clock = Date.now() / 1000
    const validator = await PlgdValidator.create({
      authority: station.ready.issuer,
      ca: station.ca!,
      now: () => clock,
      tokenTrustVerification: { cacheExpiration: 1 },
    })
    try {
      await expect(validator.validate(token)).resolves.toMatchObject({ owner: '1' })
      expect(validator.trustChecks).toBe(1)
      await validator.validate(token)
      expect(validator.trustChecks).toBe(1)
      expect(validator.trustCacheHits).toBe(1)

      // Concurrent validations of one new jti share one request.
      await Promise.all([
        validator.validate(concurrent.token),
        validator.validate(concurrent.token),
      ])
      expect(validator.trustChecks).toBe(2)
      expect(validator.trustCacheHits).toBe(2)

      // Through the running serve's control socket, as an operator would.
      const revoke = await runCli(['token', 'revoke', jti, '--json'], { dataDir })
      expect(revoke.code, revoke.stderr).toBe(0)
      expect(JSON.parse(revoke.stdout)).toEqual({ blacklistedCount: 1 })

      // Within the cache window the hub still accepts the revoked token...
      clock += 0.5
      await expect(validator.validate(token)).resolves.toMatchObject({ owner: '1' })
      expect(validator.trustChecks).toBe(2)

      // ...and rejects it once the cached answer has expired.
      clock += 0.6
      await expect(validator.validate(token)).rejects.toThrow('token is blacklisted')
      expect(validator.trustChecks).toBe(3)
      // A blacklisted answer is kept until the token's exp: no further request.
      clock += 60
      await expect(validator.validate(token)).rejects.toThrow('token is blacklisted')
      expect(validator.trustChecks).toBe(3)
      // The untouched token is asked about again after its cache expired, and still accepted.
      await expect(validator.validate(concurrent.token)).resolves.toBeDefined()
      expect(validator.trustChecks).toBe(4)
    } finally {
      validator.close()
    }
  })

  it('does not cache a failed trust request', async () => {
    // The issuer refuses an expired bearer; a hub whose clock is still before exp asks, fails,
    // and asks again on the next validation.
    await waitUntilAfter(Number(shortLived.claims.exp))
    const validator = await PlgdValidator.create({
      authority: station.ready.issuer,
      ca: station.ca!,
      now: () => Number(shortLived.claims.iat) + 0.5,
      tokenTrustVerification: {},
    })
    try {
      for (let i = 1; i <= 2; i++) {
        await expect(validator.validate(shortLived.token)).rejects.toThrow(/HTTP 401/)
        expect(validator.trustChecks).toBe(i)
      }
    } finally {
      validator.close()
    }
  })
})
