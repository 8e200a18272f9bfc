// @vitest-environment node
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { statusView } from '../../electron/api/methods/status.js'
import { CLIENT_AUTH_FAILED, OAuthError } from '../../electron/oauth/oauth-error.js'
import { parseTokenRequest } from '../../electron/oauth/token-request.js'
import { openTestApp, type TestApp } from '../helpers/fakes.js'

/**
 * Issue 16 item 7: every failed client authentication reads the same to the caller (so nobody
 * learns which ids exist or how they authenticate) while the log keeps the specific reason.
 */

const FORM = 'application/x-www-form-urlencoded'
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

let t: TestApp
let secret: string
let offSecret: string
let pkKey: CryptoKey
let address = 0

function request(params: Record<string, string>, authorization?: string) {
  return parseTokenRequest(
    FORM,
    Buffer.from(new URLSearchParams({ grant_type: 'client_credentials', ...params }).toString()),
    authorization,
  )
}

function basic(id: string, s: string): string {
  return `Basic ${Buffer.from(`${id}:${s}`).toString('base64')}`
}

async function assertion(sub: string, overrides: { aud?: string; jti?: string } = {}) {
  return new SignJWT({ jti: overrides.jti ?? `j-${Math.random()}` })
    .setProtectedHeader({ alg: 'ES256', kid: 'pk-1' })
    .setIssuer(sub)
    .setSubject(sub)
    .setAudience(overrides.aud ?? t.app.urls().tokenEndpoint)
    .setIssuedAt(t.clock.now)
    .setExpirationTime(t.clock.now + 60)
    .sign(pkKey)
}

async function refusal(params: Record<string, string>, authorization?: string) {
  const at = t.log.entries.length
  try {
    await t.app.tokens.issueForRequest(request(params, authorization), `10.3.0.${++address}`)
  } catch (err) {
    expect(err).toBeInstanceOf(OAuthError)
    const logged = t.log.entries.slice(at).find((e) => e.message === 'client authentication failed')
    return { err: err as OAuthError, logged }
  }
  throw new Error('expected a refusal, but a token was issued')
}

beforeAll(async () => {
  t = await openTestApp()
  secret = t.app.clients.add({ id: 'dps', owner: '1' }).clientSecret!
  offSecret = t.app.clients.add({ id: 'off', owner: '1' }).clientSecret!
  t.app.clients.setDisabled('off', true)
  const pair = await generateKeyPair('ES256')
  pkKey = pair.privateKey
  const jwk = { ...(await exportJWK(pair.publicKey)), kty: 'EC', kid: 'pk-1', alg: 'ES256' }
  t.app.clients.add({
    id: 'pk',
    owner: '1',
    auth: { method: 'private_key_jwt', jwks: { keys: [jwk] } },
  })
  t.app.clients.add({
    id: 'ua',
    auth: { method: 'user_assertion', authorities: [{ authority: 'https://auth.example' }] },
  })
})

afterAll(() => {
  t?.close()
})

describe('one description for every failed client authentication', () => {
  it.each<[string, () => Promise<[Record<string, string>, string?]>, RegExp]>([
    // [case, request, reason in the log]
    ['an unknown client id', async () => [{}, basic('ghost', 'x')], /unknown client id/],
    ['a wrong secret', async () => [{}, basic('dps', 'wrong')], /wrong secret/],
    ['a disabled client', async () => [{}, basic('off', offSecret)], /disabled/],
    ['no credentials at all', async () => [{}], /no client id/],
    ['a secret client without its secret', async () => [{ client_id: 'dps' }], /no client secret/],
    [
      'a secret for a private_key_jwt client',
      async () => [{}, basic('pk', secret)],
      /a secret for a private_key_jwt client/,
    ],
    [
      'a private_key_jwt client without an assertion',
      async () => [{ client_id: 'pk' }],
      /no client_assertion for a private_key_jwt client/,
    ],
    [
      'a user-assertion client without an assertion',
      async () => [{ client_id: 'ua' }],
      /no client_assertion for a user_assertion client/,
    ],
    [
      'an assertion for a secret client',
      async () => [
        {
          client_id: 'dps',
          client_assertion_type: JWT_BEARER,
          client_assertion: await assertion('dps'),
        },
      ],
      /assertion from a secret client/,
    ],
    [
      'the wrong assertion type',
      async () => [
        {
          client_id: 'pk',
          client_assertion_type: 'other',
          client_assertion: await assertion('pk'),
        },
      ],
      /client_assertion_type/,
    ],
    [
      'an assertion for another audience',
      async () => [
        {
          client_id: 'pk',
          client_assertion_type: JWT_BEARER,
          client_assertion: await assertion('pk', { aud: 'https://elsewhere' }),
        },
      ],
      /client assertion rejected: .*aud/,
    ],
    [
      'a user assertion that is not a JWT',
      async () => [
        { client_id: 'ua', client_assertion_type: JWT_BEARER, client_assertion: 'not-a-jwt' },
      ],
      /invalid client assertion/,
    ],
  ])('%s: the caller reads the generic text, the log the reason', async (_name, make, reason) => {
    const [params, authorization] = await make()
    const { err, logged } = await refusal(params, authorization)
    expect(err.error).toBe('invalid_client')
    expect(err.status).toBe(401)
    expect(err.message).toBe(CLIENT_AUTH_FAILED)
    expect(err.toBody()).toMatchObject({
      error_description: 'client authentication failed',
      message: 'cannot create token: client authentication failed',
    })
    expect(logged, JSON.stringify(t.log.entries.slice(-3))).toBeDefined()
    expect(String(logged!.fields?.reason)).toMatch(reason)
  })

  it('keeps secrets and assertions out of the log', async () => {
    const jwt = await assertion('pk', { aud: 'https://elsewhere' })
    await refusal({ client_id: 'pk', client_assertion_type: JWT_BEARER, client_assertion: jwt })
    await refusal({}, basic('dps', 'a-wrong-secret-value'))
    const text = JSON.stringify(t.log.entries)
    expect(text).not.toContain(jwt)
    expect(text).not.toContain('a-wrong-secret-value')
    expect(text).not.toContain(secret)
  })

  it('refuses a replayed assertion with the same text, and logs that it was replayed', async () => {
    const jwt = await assertion('pk', { jti: 'once' })
    const params = { client_id: 'pk', client_assertion_type: JWT_BEARER, client_assertion: jwt }
    await t.app.tokens.issueForRequest(request(params), '10.3.1.1')
    const { err, logged } = await refusal(params)
    expect(err.message).toBe(CLIENT_AUTH_FAILED)
    expect(String(logged?.fields?.reason)).toMatch(/already used/)
  })

  it('counts the failures in status.get, names the client id and the address in the log', () => {
    const auth = statusView(t.app).authentication
    expect(auth?.failures).toBe(12 + 2 + 1)
    expect(auth?.lastFailureAt).not.toBeNull()
    const ghost = t.log.entries.find((e) => e.fields?.clientId === 'ghost')
    expect(ghost?.fields).toMatchObject({ address: '10.3.0.1', method: 'client_secret_basic' })
  })
})
