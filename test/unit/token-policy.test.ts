// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { DEFAULT_OWNER_CLAIM } from '../../shared/constants.js'
import { OAuthError, type OAuthErrorCode } from '../../electron/oauth/oauth-error.js'
import {
  decideGrant,
  type Grant,
  type GrantRequest,
  type PolicyContext,
} from '../../electron/oauth/token-policy.js'
import type { ClientRecord } from '../../electron/clients/client-record.js'
import { clientRecord } from '../helpers/fakes.js'

const NOW = 1_700_000_000
const HOUR = 3600
const DAY = 24 * HOUR

// Built with `as`: the owner claim is named here for the version of decideGrant that reads the
// owner parameter itself, and ignored by one that is handed the owner.
const ctx = (overrides: Partial<PolicyContext> & { ownerClaim?: string } = {}): PolicyContext =>
  ({
    nowSeconds: NOW,
    maxLifetimeSeconds: 7 * DAY,
    ownerClaim: DEFAULT_OWNER_CLAIM,
    ...overrides,
  }) as PolicyContext

const request = (overrides: Partial<GrantRequest> = {}): GrantRequest => ({
  audiences: [],
  scopes: [],
  expiration: undefined,
  ...overrides,
})

function decide(
  client: Partial<ClientRecord>,
  req: Partial<GrantRequest> = {},
  context: Partial<PolicyContext> & { ownerClaim?: string } = {},
): Grant {
  return decideGrant(clientRecord(client), request(req), ctx(context))
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
      expect(err.message).toMatch(/expiration/)
    }
  })
})

describe('decideGrant: owner parameter (from DPS)', () => {
  const params = (entries: Record<string, string>) => new Map(Object.entries(entries))

  it.each<[string, string, Record<string, string>, string | OAuthErrorCode]>([
    ['absent', DEFAULT_OWNER_CLAIM, {}, '1'],
    ['equal to the client owner', DEFAULT_OWNER_CLAIM, { [DEFAULT_OWNER_CLAIM]: '1' }, '1'],
    ['a different owner', DEFAULT_OWNER_CLAIM, { [DEFAULT_OWNER_CLAIM]: '2' }, 'invalid_request'],
    ['empty', DEFAULT_OWNER_CLAIM, { [DEFAULT_OWNER_CLAIM]: '' }, 'invalid_request'],
    [
      'differs only in case',
      DEFAULT_OWNER_CLAIM,
      { [DEFAULT_OWNER_CLAIM]: 'I' },
      'invalid_request',
    ],
    ['under a custom owner claim', 'owner', { owner: '2' }, 'invalid_request'],
    ['under another name than the owner claim', 'owner', { [DEFAULT_OWNER_CLAIM]: '2' }, '1'],
  ])('%s', (_name, ownerClaim, entries, expected) => {
    // The parameters as the token endpoint received them, and the owner parameter picked out.
    const req = { params: params(entries), owner: entries[ownerClaim] } as Partial<GrantRequest>
    const run = () => decide({ owner: '1' }, req, { ownerClaim })
    if (expected === 'invalid_request') {
      const err = refusal(run)
      expect(err.error).toBe('invalid_request')
      expect(err.status).toBe(400)
    } else {
      expect(run().owner).toBe(expected)
    }
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
