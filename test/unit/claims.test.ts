// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { DEFAULT_DEVICE_ID_CLAIM, DEFAULT_OWNER_CLAIM } from '../../shared/constants.js'
import type { ClientRecord } from '../../electron/clients/client-record.js'
import { buildClaims, type ClaimsContext } from '../../electron/oauth/claims.js'
import {
  decideGrant,
  type AssertionFacts,
  type Grant,
  type GrantRequest,
} from '../../electron/oauth/token-policy.js'
import { clientRecord } from '../helpers/fakes.js'

const NOW = 1_700_000_000
const ISSUER = 'https://192.168.1.10:8443/m2m-oauth-server'
const JTI = '0b1cc2d3-8a5e-4c5d-9d7e-2b0a0e6f4f11'

const grant = (overrides: Partial<Grant> = {}): Grant => ({
  audiences: [],
  scopes: [],
  owner: '1',
  subject: '1',
  deviceId: undefined,
  iat: NOW,
  exp: NOW + 3600,
  ...overrides,
})

const context = (overrides: Partial<ClaimsContext> = {}): ClaimsContext => ({
  issuer: ISSUER,
  ownerClaim: DEFAULT_OWNER_CLAIM,
  deviceIdClaim: DEFAULT_DEVICE_ID_CLAIM,
  jti: JTI,
  tokenName: undefined,
  ...overrides,
})

function claims(
  client: Partial<ClientRecord> = {},
  g: Partial<Grant> = {},
  ctx: Partial<ClaimsContext> = {},
): Record<string, unknown> {
  return buildClaims(clientRecord(client), grant(g), context(ctx))
}

describe('buildClaims: plgd interop example', () => {
  it('is exactly the payload plgd mints for console-dps, owner 1, token_name dps', () => {
    expect(claims({ id: 'console-dps', owner: '1' }, {}, { tokenName: 'dps' })).toStrictEqual({
      jti: JTI,
      sub: '1',
      iat: NOW,
      exp: NOW + 3600,
      scope: '',
      client_id: 'console-dps',
      iss: ISSUER,
      'https://plgd.dev/owner': '1',
      name: 'dps',
    })
  })

  it('omits aud entirely when no audience was granted (not an empty array)', () => {
    expect(claims()).not.toHaveProperty('aud')
  })

  it('serialises scope as an empty string, not as an absent claim', () => {
    expect(JSON.parse(JSON.stringify(claims()))).toHaveProperty('scope', '')
  })
})

describe('buildClaims: standard claims', () => {
  it.each<[string, Partial<Grant>, Record<string, unknown>]>([
    ['one audience', { audiences: ['https://hub'] }, { aud: ['https://hub'] }],
    ['two audiences', { audiences: ['a', 'b'] }, { aud: ['a', 'b'] }],
    ['one scope', { scopes: ['r:*'] }, { scope: 'r:*' }],
    ['scopes joined by one space', { scopes: ['r:*', 'w:*'] }, { scope: 'r:* w:*' }],
    [
      "sub is the grant's subject, not its owner",
      { owner: '1', subject: 'gw-user' },
      { sub: 'gw-user' },
    ],
    ['times from the grant', { iat: 10, exp: 20 }, { iat: 10, exp: 20 }],
    [
      'the owner claim from the grant',
      { owner: 'tenant-9' },
      { [DEFAULT_OWNER_CLAIM]: 'tenant-9' },
    ],
  ])('%s', (_name, g, expected) => {
    expect(claims({}, g)).toMatchObject(expected)
  })

  it.each<[string, Partial<Grant>, Record<string, unknown>, string[]]>([
    // [case, grant, expected present, expected absent]
    ['no device id', {}, {}, [DEFAULT_DEVICE_ID_CLAIM]],
    ['a device id', { deviceId: 'd-1' }, { [DEFAULT_DEVICE_ID_CLAIM]: 'd-1' }, []],
    ['no owner', { owner: '', subject: 'dev' }, { sub: 'dev' }, [DEFAULT_OWNER_CLAIM]],
  ])('%s', (_name, g, present, absent) => {
    const c = claims({}, g)
    expect(c).toMatchObject(present)
    for (const key of absent) expect(c).not.toHaveProperty(key)
  })

  it('writes the device id under the configured claim', () => {
    const c = claims({}, { deviceId: 'd-1' }, { deviceIdClaim: 'deviceId' })
    expect(c).toMatchObject({ deviceId: 'd-1' })
    expect(c).not.toHaveProperty(DEFAULT_DEVICE_ID_CLAIM)
  })

  it('embeds the claims of a user assertion as originalTokenClaims', () => {
    const original = { sub: 's-1', [DEFAULT_OWNER_CLAIM]: 'u-7' }
    expect(claims({}, {}, { originalTokenClaims: original })).toMatchObject({
      originalTokenClaims: original,
    })
    expect(claims()).not.toHaveProperty('originalTokenClaims')
  })
})

describe('buildClaims over the real policy: sub and the owner claim', () => {
  const facts = (f: Partial<AssertionFacts>): AssertionFacts => ({
    owner: undefined,
    subject: undefined,
    deviceId: undefined,
    claims: {},
    ...f,
  })

  it.each<
    [
      string,
      Partial<ClientRecord>,
      Partial<GrantRequest>,
      AssertionFacts | undefined,
      Record<string, unknown>,
    ]
  >([
    // [case, client, request, user assertion, expected sub and owner claim (undefined: absent)]
    [
      'sub is the owner',
      { id: 'dev', owner: 'tenant-9' },
      {},
      undefined,
      { sub: 'tenant-9', owner: 'tenant-9' },
    ],
    [
      'sub falls back to the client id when there is no owner, and no owner claim is set',
      { id: 'dev', owner: '' },
      {},
      undefined,
      { sub: 'dev', owner: undefined },
    ],
    [
      'sub is the allowed owner asked for',
      { id: 'gw', owner: '1', allowedOwners: ['2'] },
      { owner: '2' },
      undefined,
      { sub: '2', owner: '2' },
    ],
    [
      "sub is the user assertion's sub, the owner its owner",
      { id: 'ua', owner: '' },
      {},
      facts({ owner: 'u-7', subject: 's-1' }),
      { sub: 's-1', owner: 'u-7' },
    ],
  ])('%s', (_name, client, request, assertion, expected) => {
    const record = clientRecord(client)
    const g = decideGrant(
      record,
      { audiences: [], scopes: [], expiration: undefined, ...request },
      { nowSeconds: NOW, maxLifetimeSeconds: 3600 },
      assertion,
    )
    const c = buildClaims(record, g, context())
    expect(c.sub).toBe(expected.sub)
    if (expected.owner === undefined) expect(c).not.toHaveProperty(DEFAULT_OWNER_CLAIM)
    else expect(c[DEFAULT_OWNER_CLAIM]).toBe(expected.owner)
  })
})

describe('buildClaims: owner claim and name', () => {
  it.each<[string, string, string | undefined, Record<string, unknown>, string[]]>([
    // [name, ownerClaim, tokenName, expected present, expected absent]
    [
      'the default owner claim',
      DEFAULT_OWNER_CLAIM,
      'dps',
      { [DEFAULT_OWNER_CLAIM]: '1', name: 'dps' },
      ['owner'],
    ],
    ['a custom owner claim', 'owner', 'dps', { owner: '1', name: 'dps' }, [DEFAULT_OWNER_CLAIM]],
    ['no token name', DEFAULT_OWNER_CLAIM, undefined, { [DEFAULT_OWNER_CLAIM]: '1' }, ['name']],
    ['an empty token name', DEFAULT_OWNER_CLAIM, '', { [DEFAULT_OWNER_CLAIM]: '1' }, ['name']],
    // plgd: when the owner claim is literally "name", the token name is not written.
    ['owner claim "name"', 'name', 'dps', { name: '1' }, [DEFAULT_OWNER_CLAIM]],
    ['owner claim "name" and no token name', 'name', undefined, { name: '1' }, []],
  ])('%s', (_name, ownerClaim, tokenName, present, absent) => {
    const c = claims({}, {}, { ownerClaim, tokenName })
    expect(c).toMatchObject(present)
    for (const key of absent) expect(c).not.toHaveProperty(key)
  })
})

describe('buildClaims: owner claim "name" without an owner', () => {
  it('still does not write the token name into name', () => {
    const c = claims(
      { id: 'dev' },
      { owner: '', subject: 'dev' },
      { ownerClaim: 'name', tokenName: 'dps' },
    )
    expect(c).not.toHaveProperty('name')
    expect(c.sub).toBe('dev')
  })
})

describe('buildClaims: extra claims never override', () => {
  it.each<
    [string, Record<string, unknown>, Partial<Grant>, string | undefined, Record<string, unknown>]
  >([
    // [name, extra claims, grant, token name, expected]
    [
      'new claims are added with their JSON values',
      { tenant: 'acme', roles: ['a', 'b'], level: 3, ok: true, meta: { x: null } },
      {},
      undefined,
      { tenant: 'acme', roles: ['a', 'b'], level: 3, ok: true, meta: { x: null } },
    ],
    ['sub', { sub: 'evil' }, {}, undefined, { sub: '1' }],
    ['iss', { iss: 'https://evil' }, {}, undefined, { iss: ISSUER }],
    ['exp', { exp: 9_999_999_999 }, {}, undefined, { exp: NOW + 3600 }],
    ['iat', { iat: 0 }, {}, undefined, { iat: NOW }],
    ['jti', { jti: 'fixed' }, {}, undefined, { jti: JTI }],
    ['scope', { scope: 'admin' }, { scopes: ['r:*'] }, undefined, { scope: 'r:*' }],
    ['an empty scope', { scope: 'admin' }, {}, undefined, { scope: '' }],
    ['client_id', { client_id: 'other' }, {}, undefined, { client_id: 'console-dps' }],
    ['aud when granted', { aud: ['evil'] }, { audiences: ['hub'] }, undefined, { aud: ['hub'] }],
    ['name when given', { name: 'evil' }, {}, 'dps', { name: 'dps' }],
    [
      'the owner claim',
      { [DEFAULT_OWNER_CLAIM]: '2' },
      {},
      undefined,
      { [DEFAULT_OWNER_CLAIM]: '1' },
    ],
    // "only when not already set": a claim the token does not carry may come from the client.
    ['name when no token name was given', { name: 'fixed' }, {}, undefined, { name: 'fixed' }],
  ])('%s', (_name, extraClaims, g, tokenName, expected) => {
    expect(claims({ extraClaims }, g, { tokenName })).toMatchObject(expected)
  })

  it('does not change the client record', () => {
    const client = clientRecord({ extraClaims: { tenant: 'acme' } })
    const c = buildClaims(client, grant(), context())
    c.tenant = 'changed'
    expect(client.extraClaims).toEqual({ tenant: 'acme' })
  })
})

describe('buildClaims: extra claims named like Object members', () => {
  it.each(['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty'])(
    'keeps %s as a plain claim',
    (name) => {
      const c = claims({ extraClaims: { [name]: 'x' } })
      expect(Object.hasOwn(c, name)).toBe(true)
      expect((JSON.parse(JSON.stringify(c)) as Record<string, unknown>)[name]).toBe('x')
      expect(Object.getPrototypeOf(c)).toBe(Object.prototype)
    },
  )
})
