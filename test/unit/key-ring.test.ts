// @vitest-environment node
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose'
import { describe, expect, it } from 'vitest'
import type { KeyView } from '../../shared/contract/index.js'
import { AppError, type ErrorCode } from '../../shared/errors.js'
import { plgdKid } from '../../electron/keys/key-material.js'
import { KeyRing, type StoredKey } from '../../electron/keys/key-ring.js'
import { SealedBox } from '../../electron/secrets/sealed-box.js'
import { FixedClock, MemorySettings } from '../helpers/fakes.js'

const DAY = 24 * 3600

interface Setup {
  ring: KeyRing
  settings: MemorySettings
  clock: FixedClock
  sealer: SealedBox
  maxLifetime: { seconds: number }
}

async function openRing(
  options: {
    settings?: MemorySettings
    clock?: FixedClock
    sealer?: SealedBox
    maxLifetime?: { seconds: number }
    /** The ledger's latest token expiry. */
    latestExpiry?: number
  } = {},
): Promise<Setup> {
  const settings = options.settings ?? new MemorySettings()
  const clock = options.clock ?? new FixedClock()
  const sealer = options.sealer ?? new SealedBox(randomBytes(32))
  const maxLifetime = options.maxLifetime ?? { seconds: 7 * DAY }
  const ring = await KeyRing.open(
    settings.get('keys'),
    {
      sealer,
      nowSeconds: clock.nowSeconds,
      maxLifetimeSeconds: () => maxLifetime.seconds,
      save: (keys) => settings.set('keys', keys),
      ...(options.latestExpiry === undefined ? {} : { latestExpiry: () => options.latestExpiry! }),
    },
    'ES256',
  )
  return { ring, settings, clock, sealer, maxLifetime }
}

const byState = (ring: KeyRing, state: KeyView['state']): KeyView[] =>
  ring.list().filter((k) => k.state === state)

function only(ring: KeyRing, state: KeyView['state']): KeyView {
  const keys = byState(ring, state)
  expect(keys).toHaveLength(1)
  return keys[0] as KeyView
}

const jwksKids = (ring: KeyRing): string[] =>
  (JSON.parse(ring.jwksJson()) as JSONWebKeySet).keys.map((k) => k.kid ?? '')

async function verify(ring: KeyRing, token: string) {
  const jwks = createLocalJWKSet(JSON.parse(ring.jwksJson()) as JSONWebKeySet)
  return jwtVerify(token, jwks)
}

const sign = (ring: KeyRing, payload: Record<string, unknown> = { sub: '1' }): Promise<string> =>
  ring.active().signJwt(payload, 'JWT')

const pemOf = (key: KeyObject, type: 'pkcs8' | 'sec1' | 'pkcs1' = 'pkcs8'): string =>
  key.export({ type, format: 'pem' }) as string

const newEcKey = (namedCurve = 'prime256v1'): KeyObject =>
  generateKeyPairSync('ec', { namedCurve }).privateKey

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error('expected an AppError, but the call resolved')
}

describe('KeyRing.open', () => {
  it('on an empty store creates one active and one next key, both published', async () => {
    const { ring, settings, clock } = await openRing()
    const active = only(ring, 'active')
    const next = only(ring, 'next')
    expect(ring.list()).toHaveLength(2)
    expect(active).toMatchObject({ alg: 'ES256', origin: 'generated', activatedAt: clock.now })
    expect(next).toMatchObject({ alg: 'ES256', origin: 'generated', activatedAt: null })
    expect(active.kid).not.toBe(next.kid)
    expect(jwksKids(ring).sort()).toEqual([active.kid, next.kid].sort())
    expect(ring.active().kid).toBe(active.kid)
    expect(settings.get('keys').map((k) => k.kid)).toEqual(
      expect.arrayContaining([active.kid, next.kid]),
    )
  })

  it('signs tokens that verify against its JWKS, with alg, kid and typ in the header', async () => {
    const { ring } = await openRing()
    const token = await sign(ring, { sub: '1', scope: '' })
    expect(decodeProtectedHeader(token)).toStrictEqual({
      alg: 'ES256',
      kid: only(ring, 'active').kid,
      typ: 'JWT',
    })
    expect((await verify(ring, token)).payload).toStrictEqual({ sub: '1', scope: '' })
    const at = await ring.active().signJwt({ sub: '1' }, 'at+jwt')
    expect(decodeProtectedHeader(at).typ).toBe('at+jwt')
    await expect(verify(ring, at)).resolves.toBeTruthy()
  })

  it('reopens the same keys from the store without writing', async () => {
    const first = await openRing()
    const writes = first.settings.writes.length
    const again = await openRing({ settings: first.settings, sealer: first.sealer })
    expect(again.ring.list()).toEqual(first.ring.list())
    expect(again.ring.jwksJson()).toBe(first.ring.jwksJson())
    expect(first.settings.writes).toHaveLength(writes)
    // A token signed before the restart verifies after it.
    await expect(verify(again.ring, await sign(first.ring))).resolves.toBeTruthy()
  })

  it('promotes a stored next key when no key is active', async () => {
    const first = await openRing()
    const next = only(first.ring, 'next')
    const keys = first.settings.get('keys').filter((k) => k.state === 'next')
    const settings = new MemorySettings({ keys })
    const { ring } = await openRing({ settings, sealer: first.sealer })
    expect(ring.active().kid).toBe(next.kid)
    expect(only(ring, 'next').kid).not.toBe(next.kid)
  })

  it.each<[string, (keys: StoredKey[]) => StoredKey[]]>([
    [
      "a key sealed under another key's AAD (blobs swapped)",
      (keys) => {
        const active = keys.find((k) => k.state === 'active') as StoredKey
        const next = keys.find((k) => k.state === 'next') as StoredKey
        return keys.map((k) =>
          k === active ? { ...k, privateKeySealed: next.privateKeySealed } : k,
        )
      },
    ],
    [
      'a corrupted sealed key',
      (keys) =>
        keys.map((k) =>
          k.state === 'active' ? { ...k, privateKeySealed: `${k.privateKeySealed}AA` } : k,
        ),
    ],
  ])('refuses %s with vault_locked', async (_name, damage) => {
    const first = await openRing()
    const settings = new MemorySettings({ keys: damage(first.settings.get('keys')) })
    const err = await refusal(openRing({ settings, sealer: first.sealer }))
    expect(err.code).toBe('vault_locked')
  })

  it('refuses to open with another wrapping key', async () => {
    const first = await openRing()
    const err = await refusal(openRing({ settings: first.settings }))
    expect(err.code).toBe('vault_locked')
  })
})

describe('KeyRing.rotate and purge', () => {
  it('promotes next to active and keeps the old key published until every token expired', async () => {
    const { ring, clock, maxLifetime } = await openRing()
    const oldActive = only(ring, 'active')
    const oldNext = only(ring, 'next')
    const before = await sign(ring)
    clock.advance(100)
    const rotatedAt = clock.now

    const listed = await ring.rotate()
    expect(listed).toEqual(ring.list())
    expect(ring.active().kid).toBe(oldNext.kid)
    expect(decodeProtectedHeader(await sign(ring)).kid).toBe(oldNext.kid)
    expect(only(ring, 'active')).toMatchObject({ kid: oldNext.kid, activatedAt: rotatedAt })
    expect(only(ring, 'retiring')).toMatchObject({
      kid: oldActive.kid,
      retireAt: rotatedAt + maxLifetime.seconds,
    })
    const fresh = only(ring, 'next')
    expect([oldActive.kid, oldNext.kid]).not.toContain(fresh.kid)
    expect(jwksKids(ring).sort()).toEqual([oldActive.kid, oldNext.kid, fresh.kid].sort())
    await expect(verify(ring, before)).resolves.toBeTruthy()
    await expect(verify(ring, await sign(ring))).resolves.toBeTruthy()
  })

  it.each<[string, number, boolean]>([
    // [when, seconds after the rotation, the retiring key is still there]
    ['right after', 0, true],
    ['one second before retireAt', 7 * DAY - 1, true],
    ['at retireAt', 7 * DAY, false],
    ['after retireAt', 30 * DAY, false],
  ])('purge %s the rotation', async (_name, later, kept) => {
    const { ring, clock, settings } = await openRing()
    const retiring = only(ring, 'active').kid
    await ring.rotate()
    clock.advance(later)
    const writes = settings.writes.length
    expect(ring.purge()).toBe(!kept)
    expect(jwksKids(ring).includes(retiring)).toBe(kept)
    expect(ring.list().some((k) => k.kid === retiring)).toBe(kept)
    expect(settings.writes.length).toBe(kept ? writes : writes + 1)
    if (!kept) expect(settings.get('keys').some((k) => k.kid === retiring)).toBe(false)
  })

  it('drops retired keys when reopened after their retireAt', async () => {
    const first = await openRing()
    const retiring = only(first.ring, 'active').kid
    await first.ring.rotate()
    first.clock.advance(7 * DAY)
    const again = await openRing({
      settings: first.settings,
      sealer: first.sealer,
      clock: first.clock,
    })
    expect(jwksKids(again.ring)).not.toContain(retiring)
    expect(again.ring.list()).toHaveLength(2)
  })

  it('rotates to another algorithm: the new next key, then the active key', async () => {
    const { ring } = await openRing()
    await ring.rotate('ES384')
    expect(only(ring, 'next').alg).toBe('ES384')
    expect(ring.active().alg).toBe('ES256')
    await ring.rotate()
    expect(ring.active().alg).toBe('ES384')
    // The algorithm chosen at the last rotation also holds for the new key's successor.
    expect(only(ring, 'next').alg).toBe('ES384')
    expect(decodeProtectedHeader(await sign(ring)).alg).toBe('ES384')
    await expect(verify(ring, await sign(ring))).resolves.toBeTruthy()
  })

  it('leaves keys, signer and JWKS as they were when saving fails', async () => {
    const { ring, settings } = await openRing()
    const before = { kid: ring.active().kid, jwks: ring.jwksJson(), list: ring.list() }
    settings.failSet = true
    await expect(ring.rotate()).rejects.toThrow()
    expect(ring.active().kid).toBe(before.kid)
    expect(decodeProtectedHeader(await sign(ring)).kid).toBe(before.kid)
    expect(ring.jwksJson()).toBe(before.jwks)
    expect(ring.list()).toEqual(before.list)
  })

  it.each<[string, number, number]>([
    // [case, the ledger's latest expiry after the rotation, retireAt after the rotation]
    ['no token outlives the lifetime: the lifetime', 0, 7 * DAY],
    ['a token expires later: its expiry', 30 * DAY, 30 * DAY],
    ['a token expires sooner: the lifetime', DAY, 7 * DAY],
  ])('retires a key no earlier than every token expires: %s', async (_name, latest, retireIn) => {
    const clock = new FixedClock()
    const { ring } = await openRing({ clock, latestExpiry: latest && clock.now + latest })
    await ring.rotate()
    expect(only(ring, 'retiring').retireAt).toBe(clock.now + retireIn)
  })
})

describe('KeyRing.importPem', () => {
  it('without activate replaces the next key, with plgd kid, and signs only after a rotation', async () => {
    const { ring, settings } = await openRing()
    const active = only(ring, 'active')
    const replaced = only(ring, 'next')
    const key = newEcKey('secp384r1')
    const kid = plgdKid(key)

    const view = await ring.importPem(pemOf(key, 'sec1'), false)
    expect(view).toMatchObject({ kid, alg: 'ES384', state: 'next', origin: 'imported' })
    expect(ring.active().kid).toBe(active.kid)
    expect(jwksKids(ring).sort()).toEqual([active.kid, kid].sort())
    expect(settings.get('keys').some((k) => k.kid === replaced.kid)).toBe(false)

    await ring.rotate()
    const token = await sign(ring)
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES384', kid })
    const verified = await verify(ring, token)
    expect(verified.protectedHeader.kid).toBe(kid)
  })

  it('with activate signs with the imported key at once', async () => {
    const { ring, clock } = await openRing()
    const oldActive = only(ring, 'active')
    const key = newEcKey()
    const kid = plgdKid(key)
    const view = await ring.importPem(pemOf(key), true)
    expect(view).toMatchObject({ kid, alg: 'ES256', state: 'active', origin: 'imported' })
    expect(ring.active().kid).toBe(kid)
    expect(only(ring, 'retiring')).toMatchObject({
      kid: oldActive.kid,
      retireAt: clock.now + 7 * DAY,
    })
    const next = only(ring, 'next')
    expect(next.origin).toBe('generated')
    expect(jwksKids(ring).sort()).toEqual([oldActive.kid, kid, next.kid].sort())

    const token = await sign(ring)
    expect(decodeProtectedHeader(token).kid).toBe(kid)
    // The token verifies with the imported key's own public key, not only with the JWKS.
    const jwk = { ...(createPublicKey(key).export({ format: 'jwk' }) as object), kid, alg: 'ES256' }
    await expect(jwtVerify(token, createLocalJWKSet({ keys: [jwk] }))).resolves.toBeTruthy()
  })

  it('with an RSA PKCS#1 key: RS256, and the next key follows as RS256', async () => {
    const { ring } = await openRing()
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const view = await ring.importPem(pemOf(privateKey, 'pkcs1'), true)
    expect(view).toMatchObject({ kid: plgdKid(privateKey), alg: 'RS256', state: 'active' })
    expect(only(ring, 'next').alg).toBe('RS256')
    expect(decodeProtectedHeader(await sign(ring)).alg).toBe('RS256')
    await expect(verify(ring, await sign(ring))).resolves.toBeTruthy()
  })

  it.each<[string, boolean, 'pkcs8' | 'sec1']>([
    ['while it is the next key', false, 'pkcs8'],
    ['while it is the active key', true, 'pkcs8'],
    ['in another PEM encoding', false, 'sec1'],
  ])('refuses the same key twice (%s) with already_exists', async (_name, activate, second) => {
    const { ring, settings } = await openRing()
    const key = newEcKey()
    await ring.importPem(pemOf(key), activate)
    const listed = ring.list()
    const writes = settings.writes.length
    const err = await refusal(ring.importPem(pemOf(key, second), false))
    expect(err.code).toBe('already_exists')
    expect(ring.list()).toEqual(listed)
    expect(settings.writes).toHaveLength(writes)
  })

  it.each<[string, () => string, ErrorCode]>([
    ['an Ed25519 key', () => pemOf(generateKeyPairSync('ed25519').privateKey), 'invalid_input'],
    [
      'a public key',
      () => createPublicKey(newEcKey()).export({ type: 'spki', format: 'pem' }) as string,
      'invalid_input',
    ],
    ['garbage', () => 'not a pem', 'invalid_input'],
  ])('refuses %s and leaves the ring unchanged', async (_name, pem, code) => {
    const { ring } = await openRing()
    const listed = ring.list()
    const jwks = ring.jwksJson()
    expect((await refusal(ring.importPem(pem(), true))).code).toBe(code)
    expect(ring.list()).toEqual(listed)
    expect(ring.jwksJson()).toBe(jwks)
  })
})

describe('KeyRing: stored data', () => {
  it('never holds a private key in plaintext', async () => {
    const { ring, settings, sealer } = await openRing()
    const imported = newEcKey()
    await ring.importPem(pemOf(imported), true)
    await ring.rotate()
    const file = settings.fileText()
    const stored = settings.get('keys')
    expect(stored.length).toBeGreaterThanOrEqual(3)

    const pemBody = pemOf(imported).split('\n').slice(1, -2).join('')
    expect(file).not.toContain(pemBody)
    for (const key of stored) {
      expect(key.publicJwk).not.toHaveProperty('d')
      const der = sealer.open(key.privateKeySealed, `signing-key:${key.kid}`)
      // The private scalar itself, in any encoding a careless export could use.
      const { d } = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({
        format: 'jwk',
      })
      const scalar = Buffer.from(d ?? '', 'base64url')
      expect(scalar.length).toBeGreaterThanOrEqual(32)
      for (const encoding of ['base64', 'base64url', 'hex'] as const) {
        expect(file).not.toContain(der.toString(encoding))
        expect(file).not.toContain(scalar.toString(encoding))
      }
    }
    expect(file).not.toMatch(/"d":/)
    expect(file).not.toMatch(/PRIVATE KEY/)
  })

  it('publishes public JWKs with kid, alg and use', async () => {
    const { ring } = await openRing()
    for (const jwk of (JSON.parse(ring.jwksJson()) as JSONWebKeySet).keys) {
      expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' })
      expect(jwk.kid).toEqual(expect.any(String))
      expect(jwk).not.toHaveProperty('d')
    }
  })
})
