// @vitest-environment node
import { randomUUID } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import { join } from 'node:path'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureTls } from '../../electron/tls/local-ca.js'
import {
  FORM,
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
 * plgd's client assertion (interop §1.10): a `jwtPrivateKey` client exchanges a user's token
 * from the customer's OAuth authority for an M2M token that carries the user's owner, subject
 * and device id, and the user token's claims as `originalTokenClaims`. The authority is a small
 * HTTPS server in this file (discovery + JWKS with kid and alg), as plgd validators need it.
 */

const OWNER_CLAIM = 'https://plgd.dev/owner'
const DEVICE_ID_CLAIM = 'https://plgd.dev/deviceId'
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
const USER_OWNER = 'owner-7b1c'
const USER_SUB = 'user-alice'
const DEVICE_ID = '2f3c8a1e-5a3b-4c6d-9e0f-1a2b3c4d5e6f'

const nowSeconds = (): number => Math.floor(Date.now() / 1000)

// ---------------------------------------------------------------------------------------------
// The customer OAuth authority

interface TrustRequest {
  url: string
  accept: string | undefined
  authorization: string | undefined
}

interface FakeAuthority {
  issuer: string
  sign(claims: Record<string, unknown>, signer?: { key: CryptoKey; kid: string }): Promise<string>
  /** jtis its tokens endpoint reports blacklisted (only with `tokensEndpoint`). */
  blacklisted: Set<string>
  trustRequests: TrustRequest[]
  close(): Promise<void>
}

interface Tls {
  keyPem: string
  certPem: string
}

async function startAuthority(
  tls: Tls,
  name: string,
  options: { tokensEndpoint?: boolean } = {},
): Promise<FakeAuthority> {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const kid = `${name}-key-1`
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }
  const blacklisted = new Set<string>()
  const trustRequests: TrustRequest[] = []
  let issuer = ''
  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x')
    const send = (status: number, body: string, type = 'application/json'): void => {
      res.writeHead(status, { 'content-type': type })
      res.end(body)
    }
    if (url.pathname === `/${name}/.well-known/openid-configuration`) {
      send(
        200,
        JSON.stringify({
          issuer,
          token_endpoint: `${issuer}/oauth/token`,
          jwks_uri: `${issuer}/jwks`,
          ...(options.tokensEndpoint ? { plgd_tokens_endpoint: `${issuer}/api/v1/tokens` } : {}),
        }),
      )
    } else if (url.pathname === `/${name}/jwks`) {
      send(200, JSON.stringify({ keys: [jwk] }))
    } else if (options.tokensEndpoint && url.pathname === `/${name}/api/v1/tokens`) {
      trustRequests.push({
        url: req.url ?? '',
        accept: req.headers.accept,
        authorization: req.headers.authorization,
      })
      const jti = url.searchParams.get('idFilter') ?? ''
      const flagged = blacklisted.has(jti)
      const record = {
        id: jti,
        version: '0',
        owner: USER_OWNER,
        expiration: String(nowSeconds() + 300),
        blacklisted: flagged ? { flag: true, timestamp: String(nowSeconds()) } : null,
      }
      send(200, `${JSON.stringify({ result: record })}\n`, 'application/jsonpb')
    } else {
      send(404, '{"code":5,"message":"not found","details":[]}')
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  issuer = `https://127.0.0.1:${(server.address() as { port: number }).port}/${name}`
  return {
    issuer,
    sign: (claims, signer = { key: privateKey, kid }) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: signer.kid, typ: 'JWT' })
        .sign(signer.key),
    blacklisted,
    trustRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

// ---------------------------------------------------------------------------------------------

let server: ServeHandle
let validator: PlgdValidator
/** Trusted by client `ua`. */
let customer: FakeAuthority
/** Not trusted by `ua`; trusted by `ua-tv`, and advertises plgd_tokens_endpoint. */
let other: FakeAuthority

/** A user token of `authority` with the claims plgd's web UI tokens carry. */
function userClaims(authority: FakeAuthority, extra: Record<string, unknown> = {}) {
  const now = nowSeconds()
  const claims: Record<string, unknown> = {
    iss: authority.issuer,
    sub: USER_SUB,
    aud: 'https://api.example',
    iat: now - 5,
    exp: now + 600,
    jti: randomUUID(),
    email: 'alice@example.com',
    [OWNER_CLAIM]: USER_OWNER,
    [DEVICE_ID_CLAIM]: DEVICE_ID,
    ...extra,
  }
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k]
  return claims
}

/** The exchange as the brief's hub web UI sends it (form, no secret). */
function exchange(clientId: string, userToken: string | undefined): Promise<HttpResponse> {
  const form = new URLSearchParams({ client_id: clientId })
  if (userToken !== undefined) {
    form.set('client_assertion_type', JWT_BEARER)
    form.set('client_assertion', userToken)
  }
  form.set('grant_type', 'client_credentials')
  return httpRequest(server.ready.tokenEndpoint, {
    method: 'POST',
    agent: server.agent,
    headers: { 'content-type': FORM },
    body: form.toString(),
  })
}

function expectOAuthError(res: HttpResponse, status: number, error: string): string {
  expect(res.status, res.text).toBe(status)
  const body = res.json<{ error: string; error_description: string }>()
  expect(body.error).toBe(error)
  // Every failed client authentication reads the same (issue 16): the reason is in the log.
  if (error === 'invalid_client')
    expect(body.error_description).toBe('client authentication failed')
  return body.error_description
}

/** The reason serve logged for the latest failed client authentication after stderr[from]. */
async function loggedReason(from: number): Promise<string> {
  for (let i = 0; i < 40; i++) {
    const failures = server
      .stderr()
      .slice(from)
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { message?: string; reason?: string })
      .filter((entry) => entry.message === 'client authentication failed')
    if (failures.length > 0) return String(failures.at(-1)!.reason)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return '(no failed client authentication logged)'
}

beforeAll(async () => {
  const dataDir = makeTempDir()
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
  const caFile = join(makeTempDir(), 'customer-ca.pem')
  writeFileSync(caFile, material.caCertPem)
  customer = await startAuthority(material, 'customer')
  other = await startAuthority(material, 'other', { tokensEndpoint: true })
  for (const [id, authority] of [
    ['ua', customer],
    ['ua-tv', other],
  ] as const) {
    const added = await runCli(
      [
        'clients',
        'add',
        '--id',
        id,
        '--trusted-authority',
        authority.issuer,
        '--trusted-ca',
        caFile,
        '--json',
      ],
      { dataDir },
    )
    expect(added.code, added.stderr).toBe(0)
    const out = JSON.parse(added.stdout) as { clientId: string; client: { auth: unknown } }
    expect(out.clientId).toBe(id)
    // No secret: the user assertion is the credential.
    expect(out).not.toHaveProperty('clientSecret')
    expect(out.client.auth).toMatchObject({
      method: 'user_assertion',
      authorities: [{ authority: authority.issuer }],
    })
  }
  server = await startServe(dataDir)
  validator = await PlgdValidator.create({ authority: server.ready.issuer, ca: server.ca! })
})

afterAll(async () => {
  validator?.close()
  try {
    await server?.stop()
  } finally {
    await Promise.all([customer?.close(), other?.close()])
    await killAllServes()
    removeTempDirs()
  }
})

describe('exchanging a user token (interop §1.10)', () => {
  it('issues a token with the user owner, subject and device id, and originalTokenClaims', async () => {
    const claims = userClaims(customer)
    const userToken = await customer.sign(claims)
    const res = await exchange('ua', userToken)
    expect(res.status, res.text).toBe(200)
    const body = res.json<{ access_token: string; token_type: string; expires_in: number }>()
    expect(body.token_type).toBe('Bearer')
    expect(typeof body.expires_in).toBe('number')

    const valid = await validator.validate(body.access_token)
    expect(valid.owner).toBe(USER_OWNER)
    expect(valid.claims.sub).toBe(USER_SUB)
    expect(valid.claims[DEVICE_ID_CLAIM]).toBe(DEVICE_ID)
    expect(valid.claims.client_id).toBe('ua')
    expect(valid.claims.iss).toBe(server.ready.issuer)
    expect(valid.claims.originalTokenClaims).toEqual(claims)
    // The user token is embedded as claims, never as the token itself.
    expect(body.access_token).not.toContain(userToken.split('.')[2]!)
  })

  it('keeps originalTokenClaims in the ledger record', async () => {
    const claims = userClaims(customer)
    const res = await exchange('ua', await customer.sign(claims))
    expect(res.status, res.text).toBe(200)
    const token = res.json<{ access_token: string }>().access_token
    const jti = String(decodeJwt(token).payload.jti)
    const api = await httpRequest(
      `${server.ready.issuer}/api/v1/tokens?idFilter=${jti}&includeBlacklisted=true`,
      {
        agent: server.agent,
        headers: { accept: 'application/protojson', authorization: `bearer ${token}` },
      },
    )
    expect(api.status, api.text).toBe(200)
    const [item] = jsonLines(api.text) as { result: Record<string, unknown> }[]
    expect(item?.result).toMatchObject({
      id: jti,
      owner: USER_OWNER,
      subject: USER_SUB,
      clientId: 'ua',
      originalTokenClaims: claims,
      blacklisted: null,
    })
  })

  it('requires the assertion (plgd mints without one; not copied)', async () => {
    expectOAuthError(await exchange('ua', undefined), 401, 'invalid_client')
  })
})

describe('user tokens it refuses', () => {
  it('refuses an expired token, an untrusted issuer, a future iat and a forged signature with 401', async () => {
    const now = nowSeconds()
    const rogue = await generateKeyPair('ES256')
    const cases: [string, Promise<string>, RegExp][] = [
      [
        'expired',
        customer.sign(userClaims(customer, { iat: now - 900, exp: now - 300 })),
        /expired/,
      ],
      ['untrusted issuer', other.sign(userClaims(other)), /issuer/],
      ['iat in the future', customer.sign(userClaims(customer, { iat: now + 120 })), /issued/],
      [
        'signed by a key the authority does not publish',
        customer.sign(userClaims(customer), { key: rogue.privateKey, kid: 'customer-key-1' }),
        /signature/,
      ],
    ]
    const wrong: string[] = []
    for (const [name, token, reason] of cases) {
      const from = server.stderr().length
      const res = await exchange('ua', await token)
      const body = res.json<{ error?: string; error_description?: string }>()
      const logged = await loggedReason(from)
      if (
        res.status !== 401 ||
        body.error !== 'invalid_client' ||
        body.error_description !== 'client authentication failed' ||
        !reason.test(logged)
      ) {
        wrong.push(`${name}: ${res.status} ${res.text} (logged: ${logged})`)
      }
    }
    expect(wrong).toEqual([])
  })

  it('answers a user token without the owner claim with 400 invalid_grant', async () => {
    const token = await customer.sign(userClaims(customer, { [OWNER_CLAIM]: undefined }))
    const description = expectOAuthError(await exchange('ua', token), 400, 'invalid_grant')
    expect(description).toMatch(/owner/)
  })

  it('asks an authority that advertises plgd_tokens_endpoint, and refuses a blacklisted user token', async () => {
    // §1.10: the assertion is validated with the normal plgd validator, §2.5 included.
    const live = userClaims(other)
    const liveToken = await other.sign(live)
    const ok = await exchange('ua-tv', liveToken)
    const revoked = userClaims(other)
    other.blacklisted.add(String(revoked.jti))
    const from = server.stderr().length
    const refused = await exchange('ua-tv', await other.sign(revoked))

    expect(ok.status, ok.text).toBe(200)
    expectOAuthError(refused, 401, 'invalid_client')
    expect(await loggedReason(from)).toMatch(/blacklisted/)
    // The exact hub request (§2.5): the user token itself as lowercase bearer.
    expect(other.trustRequests).toContainEqual({
      url: `/other/api/v1/tokens?idFilter=${String(live.jti)}&includeBlacklisted=true`,
      accept: 'application/protojson',
      authorization: `bearer ${liveToken}`,
    })
  })
})
