// @vitest-environment node
import {
  createLocalJWKSet,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  type JSONWebKeySet,
} from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AddClientInput } from '../../shared/contract/index.js'
import { OAuthError, type OAuthErrorCode } from '../../electron/oauth/oauth-error.js'
import { parseTokenRequest } from '../../electron/oauth/token-request.js'
import { assertionFacts, requestedGrant } from '../../electron/oauth/token-service.js'
import { openTestApp, type TestApp } from '../helpers/fakes.js'

const FORM = 'application/x-www-form-urlencoded'

/** How a refused request presents the client: the right or a wrong secret, or nothing. */
type How = 'basic-wrong' | 'basic-right' | 'post-right' | 'none'
const OWNER_CLAIM = 'https://plgd.dev/owner'
const DEVICE_ID_CLAIM = 'https://plgd.dev/deviceId'
const PLGD_NAMES = { ownerClaim: OWNER_CLAIM, deviceIdClaim: DEVICE_ID_CLAIM }

function addClient(t: TestApp, input: AddClientInput): string {
  const { clientSecret } = t.app.clients.add(input)
  if (clientSecret === undefined) throw new Error('expected a client secret')
  return clientSecret
}

function basic(id: string, secret: string): string {
  const enc = (v: string) => new URLSearchParams({ v }).toString().slice(2)
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`
}

/** A token request as the endpoint would parse it off the wire. */
function formRequest(params: Record<string, string | undefined>, authorization?: string) {
  const defined = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)
  const body = Buffer.from(new URLSearchParams(defined).toString())
  return parseTokenRequest(FORM, body, authorization)
}

async function oauthRefusal(promise: Promise<unknown>): Promise<OAuthError> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(OAuthError)
    return err as OAuthError
  }
  throw new Error('expected an OAuthError, but the request succeeded')
}

async function verify(t: TestApp, token: string) {
  const jwks = createLocalJWKSet(JSON.parse(t.app.keys.jwksJson()) as JSONWebKeySet)
  return jwtVerify(token, jwks, {
    issuer: t.app.urls().issuer,
    currentDate: new Date(t.clock.now * 1000),
  })
}

describe('requestedGrant: which parameters name the owner, device id and subject', () => {
  it.each<
    [
      string,
      { ownerClaim: string; deviceIdClaim: string },
      Record<string, string>,
      { owner?: string; deviceId?: string; subject?: string },
    ]
  >([
    // [case, claim names, form parameters, what the policy is asked for]
    ['nothing asked for', PLGD_NAMES, {}, {}],
    ['the owner claim names the owner (DPS)', PLGD_NAMES, { [OWNER_CLAIM]: '2' }, { owner: '2' }],
    ['an empty owner is still asked for', PLGD_NAMES, { [OWNER_CLAIM]: '' }, { owner: '' }],
    [
      'a custom owner claim',
      { ownerClaim: 'owner', deviceIdClaim: DEVICE_ID_CLAIM },
      { owner: '2' },
      { owner: '2' },
    ],
    [
      'the default owner claim is an ordinary parameter under a custom one',
      { ownerClaim: 'owner', deviceIdClaim: DEVICE_ID_CLAIM },
      { [OWNER_CLAIM]: '2' },
      {},
    ],
    ['the owner claim differs in case', PLGD_NAMES, { [OWNER_CLAIM.toUpperCase()]: '2' }, {}],
    [
      'the device-id claim names the device',
      PLGD_NAMES,
      { [DEVICE_ID_CLAIM]: 'd-1' },
      { deviceId: 'd-1' },
    ],
    [
      'a custom device-id claim',
      { ownerClaim: OWNER_CLAIM, deviceIdClaim: 'di' },
      { di: 'd-1', [DEVICE_ID_CLAIM]: 'd-2' },
      { deviceId: 'd-1' },
    ],
    ['sub names the subject (coap-gateway)', PLGD_NAMES, { sub: 'u' }, { subject: 'u' }],
    [
      'sub names the owner, not the subject, when the owner claim is sub',
      { ownerClaim: 'sub', deviceIdClaim: DEVICE_ID_CLAIM },
      { sub: 'u' },
      { owner: 'u' },
    ],
    [
      'all three',
      PLGD_NAMES,
      { [OWNER_CLAIM]: '2', [DEVICE_ID_CLAIM]: 'd-1', sub: 'u' },
      { owner: '2', deviceId: 'd-1', subject: 'u' },
    ],
  ])('%s', (_name, names, params, expected) => {
    const request = formRequest({
      grant_type: 'client_credentials',
      audience: 'https://hub',
      scope: 'r:*',
      expiration: '1700000060',
      ...params,
    })
    expect(requestedGrant(request, names)).toStrictEqual({
      audiences: ['https://hub'],
      scopes: ['r:*'],
      expiration: 1_700_000_060,
      owner: expected.owner,
      deviceId: expected.deviceId,
      subject: expected.subject,
    })
  })
})

describe('assertionFacts: what a user assertion contributes', () => {
  it.each<
    [string, Record<string, unknown>, { owner?: string; subject?: string; deviceId?: string }]
  >([
    // [case, the user token's claims, facts found]
    ['nothing', {}, {}],
    [
      'owner, sub and device id',
      { [OWNER_CLAIM]: 'u-7', sub: 's-1', [DEVICE_ID_CLAIM]: 'd-9' },
      { owner: 'u-7', subject: 's-1', deviceId: 'd-9' },
    ],
    ['empty strings are absent', { [OWNER_CLAIM]: '', sub: '', [DEVICE_ID_CLAIM]: '' }, {}],
    [
      'non-strings are absent',
      { [OWNER_CLAIM]: 7, sub: ['s'], [DEVICE_ID_CLAIM]: { id: 'd' } },
      {},
    ],
    ['an owner under another name is not the owner', { owner: 'u-7', 'https://x/owner': 'u' }, {}],
  ])('%s', (_name, claims, expected) => {
    expect(assertionFacts(claims, PLGD_NAMES)).toStrictEqual({
      owner: expected.owner,
      subject: expected.subject,
      deviceId: expected.deviceId,
      claims,
    })
  })

  it('reads the configured owner and device-id claims', () => {
    const claims = { tenant: 'u-7', dev: 'd-9', [OWNER_CLAIM]: 'other' }
    expect(assertionFacts(claims, { ownerClaim: 'tenant', deviceIdClaim: 'dev' })).toMatchObject({
      owner: 'u-7',
      deviceId: 'd-9',
    })
  })
})

describe('TokenService.issueForRequest', () => {
  let t: TestApp
  let secret: string
  let disabledSecret: string
  let address = 0
  /** Every case from its own address, so the throttle never links them. */
  const nextAddress = () => `10.1.0.${++address}`

  beforeAll(async () => {
    t = await openTestApp({ throttle: { failures: 1000, windowSeconds: 60, blockSeconds: 60 } })
    secret = addClient(t, {
      id: 'console-dps',
      owner: '1',
      audiences: ['https://hub', 'https://other'],
      scopes: ['r:*', 'w:*'],
    })
    disabledSecret = addClient(t, { id: 'off', owner: '1' })
    t.app.clients.setDisabled('off', true)
  })

  afterAll(() => {
    t?.close()
  })

  it.each<[string, 'basic' | 'post']>([
    ['HTTP Basic', 'basic'],
    ['client_secret_post', 'post'],
  ])('issues a token with %s', async (_name, method) => {
    const params = {
      grant_type: 'client_credentials',
      audience: 'https://hub',
      token_name: 'dps',
      ...(method === 'post' ? { client_id: 'console-dps', client_secret: secret } : {}),
    }
    const request = formRequest(
      params,
      method === 'basic' ? basic('console-dps', secret) : undefined,
    )
    const response = await t.app.tokens.issueForRequest(request, nextAddress())
    expect(Object.keys(response).sort()).toEqual([
      'access_token',
      'expires_in',
      'scope',
      'token_type',
    ])
    expect(response).toMatchObject({ expires_in: 3600, scope: 'r:* w:*', token_type: 'Bearer' })

    const { payload } = await verify(t, response.access_token)
    expect(payload).toMatchObject({
      sub: '1',
      aud: ['https://hub'],
      client_id: 'console-dps',
      scope: 'r:* w:*',
      name: 'dps',
      [OWNER_CLAIM]: '1',
      iat: t.clock.now,
      exp: t.clock.now + 3600,
    })

    expect(t.app.ledger.get(String(payload.jti))).toMatchObject({
      id: payload.jti,
      name: 'dps',
      owner: '1',
      issuedAt: t.clock.now,
      audience: ['https://hub'],
      scope: ['r:*', 'w:*'],
      expiration: t.clock.now + 3600,
      clientId: 'console-dps',
      subject: '1',
      originalTokenClaims: null,
      blacklisted: null,
    })
  })

  it.each<[string, Record<string, string>, Record<string, unknown>]>([
    ['an explicit expiration', { expiration: String(1_700_000_000 + 60) }, { exp: 1_700_000_060 }],
    ['the matching owner parameter', { [OWNER_CLAIM]: '1' }, { [OWNER_CLAIM]: '1', sub: '1' }],
    ['one scope', { scope: 'w:*' }, { scope: 'w:*' }],
    [
      'both audiences',
      { audience: 'https://other https://hub' },
      { aud: ['https://other', 'https://hub'] },
    ],
    ['no token name', { token_name: '' }, {}],
  ])('honours %s', async (_name, extra, expected) => {
    const request = formRequest(
      { grant_type: 'client_credentials', audience: 'https://hub', ...extra },
      basic('console-dps', secret),
    )
    const response = await t.app.tokens.issueForRequest(request, nextAddress())
    const claims = decodeJwt(response.access_token)
    expect(claims).toMatchObject(expected)
    if (extra.token_name === '') expect(claims).not.toHaveProperty('name')
    if (extra.expiration) expect(response.expires_in).toBe(60)
  })

  it.each<[string, Record<string, string | undefined>, How, OAuthErrorCode, boolean]>([
    // [case, body, how the secret is sent, error, Basic challenge]
    [
      'a wrong secret over Basic',
      { grant_type: 'client_credentials' },
      'basic-wrong',
      'invalid_client',
      true,
    ],
    [
      'a wrong secret in the body',
      { grant_type: 'client_credentials', client_id: 'console-dps', client_secret: 'nope' },
      'none',
      'invalid_client',
      false,
    ],
    [
      'an unknown client',
      { grant_type: 'client_credentials', client_id: 'ghost', client_secret: 'x' },
      'none',
      'invalid_client',
      false,
    ],
    [
      'no secret at all',
      { grant_type: 'client_credentials', client_id: 'console-dps' },
      'none',
      'invalid_client',
      false,
    ],
    ['no client at all', { grant_type: 'client_credentials' }, 'none', 'invalid_client', false],
    [
      'a client assertion, even with the right secret',
      {
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: 'eyJhbGciOiJub25lIn0.e30.',
      },
      'post-right',
      'invalid_client',
      false,
    ],
    ['a missing grant_type', { audience: 'https://hub' }, 'basic-right', 'invalid_request', false],
    [
      'another grant type',
      { grant_type: 'password', audience: 'https://hub' },
      'basic-right',
      'unsupported_grant_type',
      false,
    ],
    [
      'an audience not allowed',
      { grant_type: 'client_credentials', audience: 'https://evil' },
      'basic-right',
      'invalid_target',
      false,
    ],
    [
      'no audience where one is required',
      { grant_type: 'client_credentials' },
      'basic-right',
      'invalid_target',
      false,
    ],
    [
      'an unknown scope',
      { grant_type: 'client_credentials', audience: 'https://hub', scope: 'admin' },
      'basic-right',
      'invalid_scope',
      false,
    ],
    [
      'another owner',
      { grant_type: 'client_credentials', audience: 'https://hub', [OWNER_CLAIM]: '2' },
      'basic-right',
      'invalid_request',
      false,
    ],
    [
      'an expiration beyond the lifetime',
      { grant_type: 'client_credentials', audience: 'https://hub', expiration: '1700003601' },
      'basic-right',
      'invalid_request',
      false,
    ],
    [
      'an expiration of now',
      { grant_type: 'client_credentials', audience: 'https://hub', expiration: '1700000000' },
      'basic-right',
      'invalid_request',
      false,
    ],
  ])('refuses %s', async (_name, params, how, error, challenge) => {
    const authorization =
      how === 'basic-wrong'
        ? basic('console-dps', 'wrong')
        : how === 'basic-right'
          ? basic('console-dps', secret)
          : undefined
    const body =
      how === 'post-right' ? { ...params, client_id: 'console-dps', client_secret: secret } : params
    const before = t.app.ledger.stats(t.clock.now).tokens
    const err = await oauthRefusal(
      t.app.tokens.issueForRequest(formRequest(body, authorization), nextAddress()),
    )
    expect(err.error).toBe(error)
    expect(err.status).toBe(error === 'invalid_client' ? 401 : 400)
    expect(err.basicChallenge).toBe(challenge)
    await new Promise((resolve) => setImmediate(resolve))
    expect(t.app.ledger.stats(t.clock.now).tokens).toBe(before)
  })

  it('gives one message for an unknown client, a disabled client and a wrong secret', async () => {
    const messages = await Promise.all(
      [
        { client_id: 'ghost', client_secret: secret },
        { client_id: 'off', client_secret: disabledSecret },
        { client_id: 'console-dps', client_secret: disabledSecret },
      ].map(async (creds) => {
        const request = formRequest({ grant_type: 'client_credentials', ...creds })
        const err = await oauthRefusal(t.app.tokens.issueForRequest(request, nextAddress()))
        expect(err.error).toBe('invalid_client')
        return err.message
      }),
    )
    expect(new Set(messages).size).toBe(1)
  })
})

describe('TokenService: the failed-authentication throttle', () => {
  let t: TestApp
  let secret: string
  let otherSecret: string

  beforeAll(async () => {
    t = await openTestApp({ throttle: { failures: 3, windowSeconds: 60, blockSeconds: 60 } })
    secret = addClient(t, { id: 'dev', owner: '1' })
    otherSecret = addClient(t, { id: 'other', owner: '1' })
    const { publicKey } = await generateKeyPair('ES256')
    const jwk = { ...(await exportJWK(publicKey)), kty: 'EC', kid: 'pk-1', alg: 'ES256' }
    t.app.clients.add({
      id: 'pk',
      owner: '1',
      auth: { method: 'private_key_jwt', jwks: { keys: [jwk] } },
    })
  })

  afterAll(() => {
    t?.close()
  })

  const request = (id: string, s: string) =>
    formRequest({ grant_type: 'client_credentials' }, basic(id, s))

  it('does not count successful requests', async () => {
    for (let i = 0; i < 10; i++) {
      await expect(
        t.app.tokens.issueForRequest(request('dev', secret), '10.2.0.1'),
      ).resolves.toMatchObject({ token_type: 'Bearer' })
    }
  })

  it('serves the right secret from an address that is not over budget, whatever others failed', async () => {
    // Issue 16: six addresses used to lock a client id out forever, also ids that do not exist
    // yet and private_key_jwt clients.
    for (const id of ['dev', 'not-yet', 'pk']) {
      for (let i = 0; i < 60; i++) {
        const err = await oauthRefusal(
          t.app.tokens.issueForRequest(request(id, `wrong-${i}`), `10.2.1.${i % 20}`),
        )
        expect(['invalid_client', 'temporarily_unavailable']).toContain(err.error)
      }
    }
    await expect(
      t.app.tokens.issueForRequest(request('dev', secret), '10.2.2.1'),
    ).resolves.toMatchObject({ token_type: 'Bearer' })
    t.app.clients.add({ id: 'not-yet', owner: '1' })
    // The attacking addresses themselves stay refused, with the right secret too.
    const err = await oauthRefusal(t.app.tokens.issueForRequest(request('dev', secret), '10.2.1.0'))
    expect(err.error).toBe('temporarily_unavailable')
    expect(err.status).toBe(429)
    expect(err.retryAfter).toBeGreaterThan(0)
    expect(err.toBody()).toMatchObject({ code: 8 })
  })

  it('blocks an address that guesses for many client ids, from its third failure on', async () => {
    for (let i = 0; i < 3; i++) {
      const err = await oauthRefusal(
        t.app.tokens.issueForRequest(request(`guess${i}`, 'x'), '10.2.9.9'),
      )
      expect(err.error).toBe('invalid_client')
    }
    const err = await oauthRefusal(
      t.app.tokens.issueForRequest(request('other', otherSecret), '10.2.9.9'),
    )
    expect(err.error).toBe('temporarily_unavailable')
    expect(err.retryAfter).toBeGreaterThan(0)
    await expect(
      t.app.tokens.issueForRequest(request('other', otherSecret), '10.2.9.10'),
    ).resolves.toMatchObject({ token_type: 'Bearer' })
  })

  it('counts failures, blocks and refusals for the dashboard', () => {
    const stats = t.app.tokens.authenticationStats()
    // 180 attempts from 20 addresses (3 failures each, then refused) and 3 from one more.
    expect(stats).toMatchObject({ failures: 63, blocks: 21, throttled: 180 - 60 + 2 })
    expect(stats.lastFailureAt).not.toBeNull()
  })
})
