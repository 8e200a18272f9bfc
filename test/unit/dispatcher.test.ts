// @vitest-environment node
import { generateKeyPairSync } from 'node:crypto'
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClientWithSecret, Envelope, IssuedToken } from '../../shared/contract/index.js'
import type { ErrorShape } from '../../shared/errors.js'
import { createDispatcher, type Dispatch } from '../../electron/api/dispatcher.js'
import { openTestApp, type TestApp } from '../helpers/fakes.js'

let t: TestApp
let dispatch: Dispatch

beforeAll(async () => {
  t = await openTestApp()
  dispatch = createDispatcher(t.app)
})

afterAll(() => {
  t?.close()
})

function failure(envelope: Envelope<unknown>): ErrorShape {
  if (envelope.ok) throw new Error(`expected a failure, got ${JSON.stringify(envelope.value)}`)
  return envelope.error
}

function success<T>(envelope: Envelope<unknown>): T {
  if (!envelope.ok) throw new Error(`expected success, got ${JSON.stringify(envelope.error)}`)
  return envelope.value as T
}

describe('dispatcher: method names', () => {
  it.each([
    'nope',
    'clients',
    'clients.nope',
    'Clients.add',
    'clients.add ',
    '',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
  ])('refuses the unknown method %j with invalid_input', async (method) => {
    const error = failure(await dispatch(method, {}))
    expect(error.code).toBe('invalid_input')
    expect(error.message).toBe(`unknown method ${method}`)
  })
})

describe('dispatcher: input validation', () => {
  it.each<[string, unknown, RegExp]>([
    ['clients.add', { id: 'a b', owner: '1' }, /^id: /],
    ['clients.add', { id: 'dev' }, /^owner: /],
    ['clients.add', { id: 'dev', owner: '1', maxLifetimeSeconds: 0 }, /^maxLifetimeSeconds: /],
    ['clients.add', { id: 'dev', owner: '1', audiences: ['a b'] }, /^audiences\.0: .*spaces/],
    ['clients.add', { id: 'dev', owner: '1', tokenType: 'jwt' }, /^tokenType: /],
    ['clients.get', {}, /^id: /],
    ['clients.get', null, /^id: /],
    ['clients.get', { id: 42 }, /^id: /],
    ['clients.rotateSecret', { id: 'dev', graceSeconds: -1 }, /^graceSeconds: /],
    ['clients.rotateSecret', { id: 'dev', graceSeconds: 1.5 }, /^graceSeconds: /],
    ['clients.setDisabled', { id: 'dev', disabled: 'yes' }, /^disabled: /],
    ['tokens.issue', { clientId: 'dev', lifetimeSeconds: -5 }, /^lifetimeSeconds: /],
    ['tokens.issue', { clientId: 'dev', scopes: 'r:*' }, /^scopes: /],
    ['keys.rotate', { alg: 'HS256' }, /^alg: /],
    ['keys.import', { pem: '' }, /^pem: /],
  ])('%s %j → invalid_input naming the field', async (method, input, message) => {
    const error = failure(await dispatch(method, input))
    expect(error.code).toBe('invalid_input')
    expect(error.message).toMatch(message)
  })

  it.each([
    ['audiences', { audiences: [''] }],
    ['scopes', { scopes: ['  '] }],
  ])('an empty entry in %s gets one message, not a spaces complaint too', async (field, extra) => {
    const error = failure(await dispatch('clients.add', { id: 'dev', owner: '1', ...extra }))
    expect(error.code).toBe('invalid_input')
    expect(error.message).toMatch(new RegExp(`^${field}\\.0: `))
    expect(error.message).not.toMatch(/spaces|;/)
  })

  it('reports a refinement without a path', async () => {
    const error = failure(
      await dispatch('tokens.issue', { clientId: 'dev', lifetimeSeconds: 60, expiration: 2e9 }),
    )
    expect(error).toEqual({
      code: 'invalid_input',
      message: 'give either a lifetime or an expiration, not both',
    })
  })
})

describe('dispatcher: operations', () => {
  it('clients.add then tokens.issue mints a token that verifies against the JWKS', async () => {
    const added = success<ClientWithSecret>(
      await dispatch('clients.add', { id: 'console-dps', owner: '1', scopes: ['r:*', 'w:*'] }),
    )
    expect(added.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(added.client).toMatchObject({ id: 'console-dps', owner: '1' })

    const issued = success<IssuedToken>(
      await dispatch('tokens.issue', { clientId: 'console-dps', scopes: ['r:*'], name: 'dps' }),
    )
    expect(issued).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 3600,
      expiresAt: t.clock.now + 3600,
      scope: 'r:*',
    })
    const jwks = createLocalJWKSet(JSON.parse(t.app.keys.jwksJson()) as JSONWebKeySet)
    const { payload, protectedHeader } = await jwtVerify(issued.accessToken, jwks, {
      issuer: t.app.urls().issuer,
      currentDate: new Date(t.clock.now * 1000),
    })
    expect(protectedHeader).toMatchObject({
      alg: 'ES256',
      typ: 'JWT',
      kid: t.app.keys.active().kid,
    })
    expect(payload).toMatchObject({
      jti: issued.jti,
      sub: '1',
      client_id: 'console-dps',
      scope: 'r:*',
      name: 'dps',
      'https://plgd.dev/owner': '1',
      iat: t.clock.now,
      exp: issued.expiresAt,
    })
    expect(payload).not.toHaveProperty('aud')
  })

  it.each<[string, string, unknown, string, RegExp]>([
    ['a duplicate client', 'clients.add', { id: 'dup', owner: '1' }, 'already_exists', /dup/],
    ['an unknown client', 'clients.get', { id: 'ghost' }, 'not_found', /ghost/],
    ['a token for an unknown client', 'tokens.issue', { clientId: 'ghost' }, 'not_found', /ghost/],
    [
      'a token beyond the lifetime',
      'tokens.issue',
      { clientId: 'dup', lifetimeSeconds: 3601 },
      'policy_violation',
      /maximum lifetime/,
    ],
    [
      'an Ed25519 key',
      'keys.import',
      { pem: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) },
      'invalid_input',
      /ed25519/,
    ],
  ])('returns the exposed AppError for %s', async (_name, method, input, code, message) => {
    await dispatch('clients.add', { id: 'dup', owner: '1' })
    const error = failure(await dispatch(method, input))
    expect(error.code).toBe(code)
    expect(error.message).toMatch(message)
  })
})

describe('dispatcher: unexpected errors', () => {
  it.each<[string, string, unknown]>([
    ['clients.add', 'clients.add', { id: 'unlucky', owner: '1' }],
    ['keys.rotate', 'keys.rotate', {}],
  ])(
    '%s failing to save → internal, generic message, details only in the log',
    async (_name, method, input) => {
      const before = t.app.clients.list()
      const logged = t.log.entries.length
      t.settings.failSet = true
      let envelope: Envelope<unknown>
      try {
        envelope = await dispatch(method, input)
      } finally {
        t.settings.failSet = false
      }
      expect(failure(envelope)).toEqual({
        code: 'internal',
        message: 'internal error; see the log',
      })
      expect(JSON.stringify(envelope)).not.toMatch(/EACCES|memory|settings\.json/)
      expect(t.app.clients.list()).toEqual(before)
      const entries = t.log.entries.slice(logged)
      expect(entries).toHaveLength(1)
      expect(entries[0]).toMatchObject({ level: 'error', fields: { method } })
      expect(String((entries[0]?.fields?.error as Error | undefined)?.message)).toMatch(/EACCES/)
    },
  )
})
