// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { OAuthError, type OAuthErrorCode } from '../../electron/oauth/oauth-error.js'
import {
  decideDeviceId,
  decideGrant,
  decideOwner,
  decideSubject,
  type AssertionFacts,
  type Grant,
  type GrantRequest,
  type PolicyContext,
} from '../../electron/oauth/token-policy.js'
import type { ClientRecord } from '../../electron/clients/client-record.js'
import { clientRecord } from '../helpers/fakes.js'

const NOW = 1_700_000_000
const HOUR = 3600
const DAY = 24 * HOUR

const ctx = (overrides: Partial<PolicyContext> = {}): PolicyContext => ({
  nowSeconds: NOW,
  maxLifetimeSeconds: 7 * DAY,
  ...overrides,
})

const request = (overrides: Partial<GrantRequest> = {}): GrantRequest => ({
  audiences: [],
  scopes: [],
  expiration: undefined,
  ...overrides,
})

function decide(
  client: Partial<ClientRecord>,
  req: Partial<GrantRequest> = {},
  context: Partial<PolicyContext> = {},
  assertion?: AssertionFacts,
): Grant {
  return decideGrant(clientRecord(client), request(req), ctx(context), assertion)
}

/** A verified user assertion's facts; its claims are not read by the policy. */
const assertion = (facts: Partial<AssertionFacts> = {}): AssertionFacts => ({
  owner: undefined,
  subject: undefined,
  deviceId: undefined,
  claims: {},
  ...facts,
})

/** The value a rule returns, or the code of the OAuthError it throws. */
function outcome<T>(fn: () => T): T | { refused: OAuthErrorCode } {
  let value: T
  try {
    value = fn()
  } catch (err) {
    expect(err).toBeInstanceOf(OAuthError)
    expect((err as OAuthError).status).toBe(400)
    return { refused: (err as OAuthError).error }
  }
  return value
}

function refusal(fn: () => unknown): OAuthError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(OAuthError)
    return err as OAuthError
  }
  throw new Error('expected an OAuthError, but the call returned')
}

describe('decideGrant: audiences (plgd rules)', () => {
  it.each<[string, string[], string[], string[] | OAuthErrorCode]>([
    ['no allowed list, none requested', [], [], []],
    ['no allowed list, one requested', [], ['https://hub'], 'invalid_target'],
    ['allowed list, none requested', ['a', 'b'], [], 'invalid_target'],
    ['allowed list, one allowed requested', ['a', 'b'], ['a'], ['a']],
    ['allowed list, all requested in another order', ['a', 'b'], ['b', 'a'], ['b', 'a']],
    ['allowed list, one allowed and one not', ['a', 'b'], ['a', 'c'], 'invalid_target'],
    ['allowed list, only unknown requested', ['a'], ['z'], 'invalid_target'],
    ['comparison is case-sensitive', ['https://hub'], ['HTTPS://HUB'], 'invalid_target'],
    ['no prefix matching', ['https://hub'], ['https://hub/extra'], 'invalid_target'],
  ])('%s', (_name, allowed, requested, expected) => {
    const run = () => decide({ audiences: allowed }, { audiences: requested })
    if (Array.isArray(expected)) {
      expect(run().audiences).toEqual(expected)
    } else {
      const err = refusal(run)
      expect(err.error).toBe(expected)
      expect(err.status).toBe(400)
    }
  })

  it('names the refused audience', () => {
    const err = refusal(() => decide({ audiences: ['a'] }, { audiences: ['a', 'evil'] }))
    // Only the refused one is listed, not the allowed one.
    expect(err.message).toMatch(/: evil$/)
  })
})

describe('decideGrant: scopes', () => {
  it.each<[string, string[], string[], string[] | OAuthErrorCode]>([
    ['none allowed, none requested', [], [], []],
    ['none requested: all allowed scopes', ['r:*', 'w:*'], [], ['r:*', 'w:*']],
    ['a subset', ['r:*', 'w:*'], ['w:*'], ['w:*']],
    ['all of them', ['r:*', 'w:*'], ['w:*', 'r:*'], ['w:*', 'r:*']],
    ['an unknown scope', ['r:*', 'w:*'], ['admin'], 'invalid_scope'],
    ['a known and an unknown scope', ['r:*'], ['r:*', 'admin'], 'invalid_scope'],
    ['any scope when none is allowed', [], ['r:*'], 'invalid_scope'],
  ])('%s', (_name, allowed, requested, expected) => {
    const run = () => decide({ scopes: allowed }, { scopes: requested })
    if (Array.isArray(expected)) {
      expect(run().scopes).toEqual(expected)
    } else {
      const err = refusal(run)
      expect(err.error).toBe(expected)
      expect(err.status).toBe(400)
    }
  })

  it('returns a copy of the allowed scopes, not the record itself', () => {
    const client = clientRecord({ scopes: ['r:*'] })
    const grant = decideGrant(client, request(), ctx())
    grant.scopes.push('w:*')
    expect(client.scopes).toEqual(['r:*'])
  })
})

describe('decideGrant: lifetime (every token expires, never clamped)', () => {
  it.each<[string, number, number, number | undefined, number | OAuthErrorCode]>([
    // [name, client max, global cap, requested expiration, expected exp or error]
    ['default: the client maximum', HOUR, 7 * DAY, undefined, NOW + HOUR],
    ['default: the global cap when it is lower', 10 * DAY, DAY, undefined, NOW + DAY],
    ['default: equal limits', DAY, DAY, undefined, NOW + DAY],
    ['one second from now', HOUR, 7 * DAY, NOW + 1, NOW + 1],
    ['exactly the client maximum', HOUR, 7 * DAY, NOW + HOUR, NOW + HOUR],
    ['exactly the global cap', 10 * DAY, DAY, NOW + DAY, NOW + DAY],
    ['now (plgd would mint a non-expiring token)', HOUR, 7 * DAY, NOW, 'invalid_request'],
    ['in the past', HOUR, 7 * DAY, NOW - 1, 'invalid_request'],
    ['zero', HOUR, 7 * DAY, 0, 'invalid_request'],
    ['one second beyond the client maximum', HOUR, 7 * DAY, NOW + HOUR + 1, 'invalid_request'],
    ['one second beyond the global cap', 10 * DAY, DAY, NOW + DAY + 1, 'invalid_request'],
    ['far beyond', HOUR, 7 * DAY, NOW + 365 * DAY, 'invalid_request'],
  ])('%s', (_name, clientMax, cap, expiration, expected) => {
    const run = () =>
      decide({ maxLifetimeSeconds: clientMax }, { expiration }, { maxLifetimeSeconds: cap })
    if (typeof expected === 'number') {
      const grant = run()
      expect(grant.exp).toBe(expected)
      expect(grant.iat).toBe(NOW)
    } else {
      const err = refusal(run)
      expect(err.error).toBe(expected)
      // Said in durations and dates, never as a unix time the user did not type.
      expect(err.message).toMatch(/not in the future|is over/)
      expect(err.message).not.toMatch(/\b\d{9,}\b/)
    }
  })

  it('says a refused lifetime as a duration and names whose cap it is over', () => {
    const clientCap = refusal(() =>
      decide(
        { maxLifetimeSeconds: HOUR },
        { expiration: NOW + 2 * HOUR },
        { maxLifetimeSeconds: DAY },
      ),
    )
    expect(clientCap.message).toMatch(/^a lifetime of 2h is over client \S+'s maximum of 1h$/)
    const issuerCap = refusal(() =>
      decide(
        { maxLifetimeSeconds: 10 * DAY },
        { expiration: NOW + 2 * DAY },
        { maxLifetimeSeconds: DAY },
      ),
    )
    expect(issuerCap.message).toBe(
      "a lifetime of 2d is over the issuer's maximum (settings: max lifetime) of 1d",
    )
  })
})

const refused = (code: OAuthErrorCode) => ({ refused: code })
const GATEWAY: Partial<ClientRecord> = { id: 'coap-gw', owner: '1', allowedOwners: ['2', '3'] }

describe('decideOwner: the owner parameter and allowed owners', () => {
  it.each<[string, Partial<ClientRecord>, string | undefined, AssertionFacts | undefined, unknown]>(
    [
      // [case, client, requested owner, user assertion, owner or refusal]
      ['absent: the client owner', { owner: '1' }, undefined, undefined, '1'],
      ['equal to the client owner', { owner: '1' }, '1', undefined, '1'],
      ['a different owner', { owner: '1' }, '2', undefined, refused('invalid_request')],
      ['empty', { owner: '1' }, '', undefined, refused('invalid_request')],
      ['differs only in case', { owner: 'a' }, 'A', undefined, refused('invalid_request')],
      ['one of the allowed owners', GATEWAY, '3', undefined, '3'],
      ['the client owner of a gateway', GATEWAY, '1', undefined, '1'],
      ['absent for a gateway: the client owner', GATEWAY, undefined, undefined, '1'],
      ['outside the allowed owners', GATEWAY, '4', undefined, refused('invalid_request')],
      [
        'no prefix matching in the allowed owners',
        GATEWAY,
        '2x',
        undefined,
        refused('invalid_request'),
      ],
      ['absent, client without an owner', { owner: '' }, undefined, undefined, ''],
      // A user assertion names the owner; the client's own owner and allowed owners do not count.
      ['assertion: its owner', { owner: '' }, undefined, assertion({ owner: 'u-7' }), 'u-7'],
      [
        'assertion: over the client owner',
        { owner: '1' },
        undefined,
        assertion({ owner: 'u-7' }),
        'u-7',
      ],
      [
        'assertion: the same owner asked for',
        { owner: '' },
        'u-7',
        assertion({ owner: 'u-7' }),
        'u-7',
      ],
      [
        'assertion: another owner asked for, even an allowed one',
        GATEWAY,
        '2',
        assertion({ owner: 'u-7' }),
        refused('invalid_request'),
      ],
      [
        'assertion: no owner claim',
        { owner: '1' },
        undefined,
        assertion(),
        refused('invalid_grant'),
      ],
      [
        'assertion: no owner claim, one asked for',
        GATEWAY,
        '2',
        assertion(),
        refused('invalid_grant'),
      ],
    ],
  )('%s', (_name, client, requested, facts, expected) => {
    expect(outcome(() => decideOwner(clientRecord(client), requested, facts))).toEqual(expected)
  })
})

describe('decideSubject: sub (plgd: the owner, else the client id)', () => {
  it.each<
    [string, Partial<ClientRecord>, string, string | undefined, AssertionFacts | undefined, unknown]
  >([
    // [case, client, decided owner, requested sub, user assertion, subject or refusal]
    ['the owner', { id: 'dev' }, 'tenant-9', undefined, undefined, 'tenant-9'],
    [
      'the client id when there is no owner',
      { id: 'dev', owner: '' },
      '',
      undefined,
      undefined,
      'dev',
    ],
    ['the owner the policy decided, not the client owner', GATEWAY, '2', undefined, undefined, '2'],
    ['asked for and equal to the owner', { id: 'dev' }, '1', '1', undefined, '1'],
    ['asked for and equal to the client id', { id: 'dev' }, '', 'dev', undefined, 'dev'],
    [
      'another one, for a client with one owner',
      { id: 'dev' },
      '1',
      'x',
      undefined,
      refused('invalid_request'),
    ],
    [
      'the client id while there is an owner',
      { id: 'dev' },
      '1',
      'dev',
      undefined,
      refused('invalid_request'),
    ],
    [
      'another one, for a gateway (coap-gateway)',
      GATEWAY,
      '1',
      'device-user',
      undefined,
      'device-user',
    ],
    [
      'empty, for a client with one owner',
      { id: 'dev' },
      '1',
      '',
      undefined,
      refused('invalid_request'),
    ],
    ['assertion: its sub', { id: 'dev' }, 'u-7', undefined, assertion({ subject: 's-1' }), 's-1'],
    ['assertion without sub: the owner', { id: 'dev' }, 'u-7', undefined, assertion(), 'u-7'],
    [
      'assertion: its sub asked for',
      { id: 'dev' },
      'u-7',
      's-1',
      assertion({ subject: 's-1' }),
      's-1',
    ],
    [
      'assertion: another sub, even for a gateway',
      GATEWAY,
      'u-7',
      'x',
      assertion({ subject: 's-1' }),
      refused('invalid_request'),
    ],
    [
      'assertion: the owner while its sub differs',
      { id: 'dev' },
      'u-7',
      'u-7',
      assertion({ subject: 's-1' }),
      refused('invalid_request'),
    ],
  ])('%s', (_name, client, owner, requested, facts, expected) => {
    const run = () => decideSubject(clientRecord(client), owner, requested, facts)
    expect(outcome(run)).toEqual(expected)
  })
})

describe('decideDeviceId: the device id parameter', () => {
  it.each<[string, boolean, string | undefined, AssertionFacts | undefined, unknown]>([
    // [case, client allows a device id, requested, user assertion, device id or refusal]
    ['absent', false, undefined, undefined, undefined],
    ['absent, allowed', true, undefined, undefined, undefined],
    ['asked for, not allowed', false, 'd-1', undefined, refused('invalid_request')],
    ['asked for, allowed', true, 'd-1', undefined, 'd-1'],
    ['empty, not allowed', false, '', undefined, refused('invalid_request')],
    [
      'assertion: its device id, even when not allowed',
      false,
      undefined,
      assertion({ deviceId: 'd-9' }),
      'd-9',
    ],
    ['assertion: the same one asked for', false, 'd-9', assertion({ deviceId: 'd-9' }), 'd-9'],
    [
      'assertion: another one asked for',
      true,
      'd-1',
      assertion({ deviceId: 'd-9' }),
      refused('invalid_request'),
    ],
    [
      'assertion without one, asked for, not allowed',
      false,
      'd-1',
      assertion(),
      refused('invalid_request'),
    ],
    ['assertion without one, asked for, allowed', true, 'd-1', assertion(), 'd-1'],
    ['assertion without one, absent', true, undefined, assertion(), undefined],
  ])('%s', (_name, allowDeviceId, requested, facts, expected) => {
    const run = () => decideDeviceId(clientRecord({ allowDeviceId }), requested, facts)
    expect(outcome(run)).toEqual(expected)
  })
})

describe('decideGrant: owner, subject and device id together', () => {
  it.each<
    [
      string,
      Partial<ClientRecord>,
      Partial<GrantRequest>,
      AssertionFacts | undefined,
      Pick<Grant, 'owner' | 'subject' | 'deviceId'> | { refused: OAuthErrorCode },
    ]
  >([
    // [case, client, request, user assertion, the grant's owner, subject and device id]
    [
      'the client owner',
      { owner: '1' },
      {},
      undefined,
      { owner: '1', subject: '1', deviceId: undefined },
    ],
    [
      'no owner: sub is the client id',
      { id: 'dev', owner: '' },
      {},
      undefined,
      { owner: '', subject: 'dev', deviceId: undefined },
    ],
    [
      'an allowed owner is also the subject',
      GATEWAY,
      { owner: '3' },
      undefined,
      { owner: '3', subject: '3', deviceId: undefined },
    ],
    [
      'a gateway names owner, subject and device id',
      { ...GATEWAY, allowDeviceId: true },
      { owner: '2', subject: 'device-user', deviceId: 'd-1' },
      undefined,
      { owner: '2', subject: 'device-user', deviceId: 'd-1' },
    ],
    [
      'the client owner as subject once another owner is chosen',
      { id: 'dev', owner: '1', allowedOwners: ['2'] },
      { owner: '2', subject: '1' },
      undefined,
      { owner: '2', subject: '1', deviceId: undefined },
    ],
    [
      'a user assertion',
      { id: 'ua', owner: '' },
      {},
      assertion({ owner: 'u-7', subject: 's-1', deviceId: 'd-9' }),
      { owner: 'u-7', subject: 's-1', deviceId: 'd-9' },
    ],
    [
      'a user assertion without sub: the subject is its owner',
      { id: 'ua', owner: '' },
      {},
      assertion({ owner: 'u-7' }),
      { owner: 'u-7', subject: 'u-7', deviceId: undefined },
    ],
    [
      'a device id not allowed',
      { owner: '1' },
      { deviceId: 'd-1' },
      undefined,
      refused('invalid_request'),
    ],
    [
      'a user assertion without owner',
      { owner: '' },
      {},
      assertion({ subject: 's' }),
      refused('invalid_grant'),
    ],
  ])('%s', (_name, client, req, facts, expected) => {
    const run = () => {
      const { owner, subject, deviceId } = decide(client, req, {}, facts)
      return { owner, subject, deviceId }
    }
    expect(outcome(run)).toEqual(expected)
  })

  it('sets iat back by the backdate for hubs whose clock runs behind, not exp', () => {
    const grant = decide({ maxLifetimeSeconds: HOUR }, {}, { iatBackdateSeconds: 30 })
    expect(grant.iat).toBe(NOW - 30)
    expect(grant.exp).toBe(NOW + HOUR)
  })
})
describe('decideGrant: the whole grant', () => {
  it('combines audiences, scopes, owner and times', () => {
    const grant = decide(
      { owner: 'tenant-7', audiences: ['https://hub'], scopes: ['r:*', 'w:*'] },
      { audiences: ['https://hub'], scopes: ['r:*'], expiration: NOW + 60 },
    )
    expect(grant).toMatchObject({
      audiences: ['https://hub'],
      scopes: ['r:*'],
      owner: 'tenant-7',
      iat: NOW,
      exp: NOW + 60,
    })
  })
})
