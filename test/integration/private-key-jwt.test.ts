// @vitest-environment node
import { randomUUID } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose'
import * as oidc from 'openid-client'
import { caFetch, type SeenRequest } from '../helpers/oidc-fetch.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  FORM,
  httpRequest,
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
 * RFC 7523 §2.2 private_key_jwt client authentication: the client signs a short-lived assertion
 * (iss = sub = client_id, aud = the token endpoint or issuer, a one-time jti) with a key whose
 * public half it registered as a JWKS. Checked with openid-client 6 and raw requests.
 */

const OWNER_CLAIM = 'https://plgd.dev/owner'
const CLIENT_ID = 'pk'
const KID = 'pk-signing-key-1'
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

let dataDir: string
let server: ServeHandle
let validator: PlgdValidator
let privateKey: CryptoKey
let addOutput: Record<string, unknown>

const nowSeconds = (): number => Math.floor(Date.now() / 1000)

/** An assertion as RFC 7523 §3 describes it; `overrides` replace or (undefined) drop claims. */
async function assertion(
  overrides: Partial<Record<keyof JWTPayload, unknown>> = {},
  signer: { key: CryptoKey; kid: string } = { key: privateKey, kid: KID },
): Promise<string> {
  const now = nowSeconds()
  const claims: Record<string, unknown> = {
    iss: CLIENT_ID,
    sub: CLIENT_ID,
    aud: server.ready.tokenEndpoint,
    jti: randomUUID(),
    iat: now,
    exp: now + 60,
    ...overrides,
  }
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k]
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: signer.kid }).sign(signer.key)
}

function tokenRequest(
  jwt: string,
  extra: Record<string, string> = {},
  target: ServeHandle = server,
): Promise<HttpResponse> {
  return httpRequest(target.ready.tokenEndpoint, {
    method: 'POST',
    agent: target.agent,
    headers: { 'content-type': FORM },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: CLIENT_ID,
      client_assertion_type: JWT_BEARER,
      client_assertion: jwt,
      ...extra,
    }).toString(),
  })
}

/** Every failed client authentication reads the same (issue 16): the reason is in the log. */
function expectInvalidClient(res: HttpResponse): { error_description: string } {
  expect(res.status, res.text).toBe(401)
  const body = res.json<{ error: string; error_description: string }>()
  expect(body.error).toBe('invalid_client')
  expect(body.error_description).toBe('client authentication failed')
  return body
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
  dataDir = makeTempDir()
  const keys = await generateKeyPair('ES256')
  privateKey = keys.privateKey
  const jwksFile = join(makeTempDir(), 'pk.jwks.json')
  const publicJwk = { ...(await exportJWK(keys.publicKey)), kid: KID, alg: 'ES256', use: 'sig' }
  writeFileSync(jwksFile, JSON.stringify({ keys: [publicJwk] }))
  const added = await runCli(
    ['clients', 'add', '--id', CLIENT_ID, '--owner', '1', '--jwks', jwksFile, '--json'],
    { dataDir },
  )
  expect(added.code, added.stderr).toBe(0)
  addOutput = JSON.parse(added.stdout) as Record<string, unknown>
  server = await startServe(dataDir)
  validator = await PlgdValidator.create({ authority: server.ready.issuer, ca: server.ca! })
})

afterAll(async () => {
  validator?.close()
  try {
    await server?.stop()
  } finally {
    await killAllServes()
    removeTempDirs()
  }
})

describe('registration', () => {
  it('prints no clientSecret field for a JWKS client', () => {
    expect(addOutput.clientId).toBe(CLIENT_ID)
    expect(addOutput).not.toHaveProperty('clientSecret')
    expect(JSON.stringify(addOutput)).not.toMatch(/secret"\s*:\s*"/i)
    const client = addOutput.client as { auth: { method: string; jwks?: { keys: unknown[] } } }
    expect(client.auth.method).toBe('private_key_jwt')
    expect(JSON.stringify(client.auth.jwks)).not.toContain('"d"')
  })
})

describe('openid-client 6 with PrivateKeyJwt', () => {
  it('gets a token a plgd hub accepts', async () => {
    const seen: SeenRequest[] = []
    const config = await oidc.discovery(
      new URL(server.ready.issuer),
      CLIENT_ID,
      undefined,
      oidc.PrivateKeyJwt({ key: privateKey, kid: KID }),
      { [oidc.customFetch]: caFetch(server.ca!, seen) },
    )
    const tokens = await oidc.clientCredentialsGrant(config)
    const call = seen.find((s) => s.url === server.ready.tokenEndpoint)
    const form = new URLSearchParams(call?.body)
    expect(form.get('client_assertion_type')).toBe(JWT_BEARER)
    expect(form.get('client_secret')).toBeNull()

    const valid = await validator.validate(tokens.access_token)
    expect(valid.owner).toBe('1')
    expect(valid.claims.client_id).toBe(CLIENT_ID)
    expect(valid.claims[OWNER_CLAIM]).toBe('1')
    expect(valid.claims).not.toHaveProperty('originalTokenClaims')
  })
})

describe('assertions the issuer refuses', () => {
  it('accepts an assertion once; the same signed JWT a second time is a replay', async () => {
    const jwt = await assertion()
    const first = await tokenRequest(jwt)
    expect(first.status, first.text).toBe(200)
    await expect(
      validator.validate(first.json<{ access_token: string }>().access_token),
    ).resolves.toMatchObject({ owner: '1' })
    const from = server.stderr().length
    const again = await tokenRequest(jwt)
    expectInvalidClient(again)
    expect(await loggedReason(from)).toMatch(/already used/)
  })

  it('accepts the issuer as aud too (RFC 7523 §3)', async () => {
    const res = await tokenRequest(await assertion({ aud: server.ready.issuer }))
    expect(res.status, res.text).toBe(200)
  })

  it('refuses a wrong aud, iss ≠ sub, exp over 10 min ahead, no jti, an unregistered key', async () => {
    const stranger = await generateKeyPair('ES256')
    // Each case must fail for its own reason, not for one shared by all.
    const cases: [string, Promise<string>, RegExp][] = [
      ['wrong aud', assertion({ aud: 'https://evil.example/oauth/token' }), /"aud"/],
      ['iss differs from sub', assertion({ iss: 'someone-else' }), /"iss"/],
      ['exp too far ahead', assertion({ exp: nowSeconds() + 900 }), /too long/],
      ['missing jti', assertion({ jti: undefined }), /"jti"/],
      [
        'unregistered key, same kid',
        assertion({}, { key: stranger.privateKey, kid: KID }),
        /signature/,
      ],
      [
        'unregistered key, own kid',
        assertion({}, { key: stranger.privateKey, kid: 'other' }),
        /key/,
      ],
    ]
    const accepted: string[] = []
    for (const [name, jwt, reason] of cases) {
      const from = server.stderr().length
      const res = await tokenRequest(await jwt)
      const body = res.json<{ error?: string; error_description?: string }>()
      const logged = await loggedReason(from)
      if (
        res.status !== 401 ||
        body.error !== 'invalid_client' ||
        body.error_description !== 'client authentication failed' ||
        !reason.test(logged)
      ) {
        accepted.push(`${name}: ${res.status} ${res.text} (logged: ${logged})`)
      }
    }
    expect(accepted).toEqual([])
  })

  it('refuses a client secret for this client', async () => {
    const res = await httpRequest(server.ready.tokenEndpoint, {
      method: 'POST',
      agent: server.agent,
      headers: { 'content-type': FORM },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: CLIENT_ID,
        client_secret: 'any-secret-at-all',
      }).toString(),
    })
    expectInvalidClient(res)
  })
})

describe('the replay cache', () => {
  it('survives a serve restart', async () => {
    const jwt = await assertion()
    expect((await tokenRequest(jwt)).status).toBe(200)
    const { tokenEndpoint } = server.ready
    const port = new URL(tokenEndpoint).port
    await server.stop()
    // Same address, so the assertion's aud (the token endpoint URL) still names this issuer.
    server = await startServe(dataDir, ['--listen', `127.0.0.1:${port}`])
    expect(server.ready.tokenEndpoint).toBe(tokenEndpoint)

    const from = server.stderr().length
    expectInvalidClient(await tokenRequest(jwt))
    expect(await loggedReason(from)).toMatch(/already used/)
    // Control: a fresh assertion works on the restarted issuer.
    const fresh = await tokenRequest(await assertion())
    expect(fresh.status, fresh.text).toBe(200)
  })
})
