// @vitest-environment node
import { describe, expect, it } from 'vitest'
import type { ClockSkew, KeyView } from '../../shared/contract/index.js'
import { statusWarnings, type StatusFacts } from '../../electron/api/methods/status-warnings.js'

const NOW = 1_700_000_000
const DAY = 24 * 3600

function key(overrides: Partial<KeyView> = {}): KeyView {
  return {
    kid: 'k1',
    alg: 'ES256',
    state: 'active',
    origin: 'generated',
    createdAt: NOW - DAY,
    activatedAt: NOW - DAY,
    retireAt: null,
    ...overrides,
  }
}

function skew(skewSeconds: number): ClockSkew {
  return {
    url: 'https://hub.example/.well-known/openid-configuration',
    skewSeconds,
    roundTripMs: 4,
  }
}

function codes(facts: Partial<StatusFacts>): string[] {
  return statusWarnings({
    now: NOW,
    vaultMode: 'keychain',
    keys: [key()],
    lastSkew: undefined,
    ...facts,
  }).map((w) => w.code)
}

describe('status warnings', () => {
  it('has none for a keychain vault, a fresh key and no measured skew', () => {
    expect(codes({})).toEqual([])
  })

  it('warns about a passphrase vault', () => {
    const [warning] = statusWarnings({
      now: NOW,
      vaultMode: 'passphrase',
      keys: [],
      lastSkew: undefined,
    })
    expect(warning).toEqual({
      code: 'vault_passphrase',
      message: 'No OS keychain: secrets are protected by the vault passphrase alone.',
    })
  })

  it.each<[string, Partial<KeyView>, string[]]>([
    ['activated exactly 90 days ago', { activatedAt: NOW - 90 * DAY }, []],
    ['activated 90 days and a second ago', { activatedAt: NOW - 90 * DAY - 1 }, ['key_old']],
    ['never activated', { activatedAt: null }, []],
    ['old but only next in line', { state: 'next', activatedAt: NOW - 400 * DAY }, []],
  ])('an active key %s → %j', (_name, overrides, expected) => {
    expect(codes({ keys: [key(overrides)] })).toEqual(expected)
  })

  it.each<[string, number | null, string[]]>([
    ['in a day less a second', NOW + DAY - 1, ['key_retiring']],
    ['already past', NOW - 10, ['key_retiring']],
    ['in exactly a day', NOW + DAY, []],
    ['with no date', null, []],
  ])('a retiring key leaving the JWKS %s → %j', (_name, retireAt, expected) => {
    const retiring = key({ kid: 'old', state: 'retiring', retireAt })
    expect(codes({ keys: [key(), retiring] })).toEqual(expected)
  })

  it('names each retiring key in its own warning', () => {
    const warnings = statusWarnings({
      now: NOW,
      vaultMode: 'keychain',
      keys: [
        key({ kid: 'a', state: 'retiring', retireAt: NOW + 60 }),
        key({ kid: 'b', state: 'retiring', retireAt: NOW + 120 }),
      ],
      lastSkew: undefined,
    })
    expect(warnings.map((w) => w.message)).toEqual([
      'Key a leaves the JWKS within a day; tokens it signed stop validating then.',
      'Key b leaves the JWKS within a day; tokens it signed stop validating then.',
    ])
  })

  it.each<[number, string[]]>([
    [0, []],
    [0.9, []],
    [-0.9, []],
    [1, ['clock_skew']],
    [-1, ['clock_skew']],
    [120.4, ['clock_skew']],
  ])('a measured skew of %s s → %j', (seconds, expected) => {
    expect(codes({ lastSkew: skew(seconds) })).toEqual(expected)
  })

  it('says which URL is how far off', () => {
    const [warning] = statusWarnings({
      now: NOW,
      vaultMode: 'keychain',
      keys: [],
      lastSkew: skew(-3.2),
    })
    expect(warning).toEqual({
      code: 'clock_skew',
      message:
        'https://hub.example/.well-known/openid-configuration is -3.2 s off: hubs reject tokens whose iat is in their future.',
    })
  })

  it('lists every warning at once, vault first and skew last', () => {
    expect(
      codes({
        vaultMode: 'passphrase',
        keys: [
          key({ activatedAt: NOW - 100 * DAY }),
          key({ kid: 'old', state: 'retiring', retireAt: NOW + 60 }),
        ],
        lastSkew: skew(5),
      }),
    ).toEqual(['vault_passphrase', 'key_old', 'key_retiring', 'clock_skew'])
  })
})
