// @vitest-environment node
// Regressions found in review: each case failed before its fix.
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { buildClaims } from '../../electron/oauth/claims.js'
import { AuthThrottle } from '../../electron/oauth/auth-throttle.js'
import { importPrivateKeyPem } from '../../electron/keys/key-material.js'
import { KeyRing } from '../../electron/keys/key-ring.js'
import { createLogger } from '../../electron/platform/logger.js'
import { SealedBox } from '../../electron/secrets/sealed-box.js'
import { clientRecord, FixedClock, MemorySettings } from '../helpers/fakes.js'

const DAY = 24 * 3600

describe('extra claims named like Object members', () => {
  it.each(['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty'])(
    'keeps %s as a plain claim',
    (name) => {
      const client = clientRecord({ id: 'c', owner: '1', extraClaims: { [name]: 'x' } })
      const grant = {
        audiences: [],
        scopes: [],
        owner: '1',
        subject: '1',
        deviceId: undefined,
        iat: 1,
        exp: 2,
      }
      const claims = buildClaims(client, grant, {
        issuer: 'https://i/m2m-oauth-server',
        ownerClaim: 'https://plgd.dev/owner',
        deviceIdClaim: 'https://plgd.dev/deviceId',
        jti: 'j',
        tokenName: undefined,
      })
      expect(Object.hasOwn(claims, name)).toBe(true)
      expect((JSON.parse(JSON.stringify(claims)) as Record<string, unknown>)[name]).toBe('x')
      expect(Object.getPrototypeOf(claims)).toBe(Object.prototype)
    },
  )
})

describe('sealed box format', () => {
  const box = new SealedBox(randomBytes(32))
  const sealed = box.seal(Buffer.from('secret'), 'aad')
  const [v, iv, ct, tag] = sealed.split('.') as [string, string, string, string]
  it.each([
    [
      'a truncated 4-byte tag',
      [v, iv, ct, Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url')],
    ],
    [
      'a truncated 12-byte tag',
      [v, iv, ct, Buffer.from(tag, 'base64url').subarray(0, 12).toString('base64url')],
    ],
    ['an extra part', [v, iv, ct, tag, 'junk']],
    ['a short IV', [v, Buffer.from(iv, 'base64url').subarray(0, 8).toString('base64url'), ct, tag]],
  ])('refuses %s', (_name, parts) => {
    expect(() => box.open(parts.join('.'), 'aad')).toThrow(/malformed/)
  })
})

describe('encrypted PEM', () => {
  it('names the encryption for a legacy encrypted SEC1 key', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    const pem = privateKey.export({
      format: 'pem',
      type: 'sec1',
      cipher: 'aes-256-cbc',
      passphrase: 'pw',
    }) as string
    expect(pem).toContain('Proc-Type: 4,ENCRYPTED')
    expect(() => importPrivateKeyPem(pem)).toThrow(/encrypted.*openssl pkey/)
  })
})

describe('key ring', () => {
  const open = async (settings = new MemorySettings(), latest = 0) => {
    const clock = new FixedClock()
    const ring = await KeyRing.open(
      settings.get('keys'),
      {
        sealer: new SealedBox(randomBytes(32)),
        nowSeconds: clock.nowSeconds,
        maxLifetimeSeconds: () => DAY,
        save: (keys) => settings.set('keys', keys),
        latestExpiry: () => latest,
      },
      'ES256',
    )
    return { ring, settings, clock }
  }

  it('keeps the algorithm chosen at the last rotation for the next key', async () => {
    const { ring } = await open()
    await ring.rotate('ES384') // next is ES384; the promoted key is still ES256
    await ring.rotate() // ES384 now signs: its successor must be ES384 too
    expect(ring.list().find((k) => k.state === 'active')?.alg).toBe('ES384')
    expect(ring.list().find((k) => k.state === 'next')?.alg).toBe('ES384')
  })

  it('leaves keys, signer and JWKS as they were when saving fails', async () => {
    const { ring, settings } = await open()
    const before = { kid: ring.active().kid, jwks: ring.jwksJson(), list: ring.list() }
    settings.failSet = true
    await expect(ring.rotate()).rejects.toThrow()
    expect(ring.active().kid).toBe(before.kid)
    expect(ring.jwksJson()).toBe(before.jwks)
    expect(ring.list()).toEqual(before.list)
  })

  it('retires a key no earlier than the latest token in the ledger expires', async () => {
    const farFuture = 2_000_000_000
    const { ring, clock } = await open(new MemorySettings(), farFuture)
    await ring.rotate()
    const retiring = ring.list().find((k) => k.state === 'retiring')
    expect(retiring?.retireAt).toBe(Math.max(farFuture, clock.nowSeconds() + DAY))
  })
})

describe('logger', () => {
  it('redacts nested secrets and never lets fields replace level or message', () => {
    const lines: string[] = []
    const log = createLogger({ json: true, write: (l) => lines.push(l) })
    log.info('hello', {
      request: { clientSecret: 'S3CRET', id: 'x' },
      level: 'debug',
      message: 'forged',
    })
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>
    expect(lines[0]).not.toContain('S3CRET')
    expect(entry.level).toBe('info')
    expect(entry.message).toBe('hello')
    expect(entry.request).toEqual({ clientSecret: '[redacted]', id: 'x' })
  })
})

describe('throttle', () => {
  it('does not let one address lock a client out', async () => {
    const throttle = new AuthThrottle({
      failures: 3,
      clientFailures: 15,
      windowSeconds: 60,
      blockSeconds: 60,
    })
    for (let i = 0; i < 10; i++) await throttle.recordFailure('dps', '203.0.113.9')
    expect(await throttle.retryAfter('dps', '203.0.113.9')).toBeGreaterThan(0)
    expect(await throttle.retryAfter('dps', '198.51.100.7')).toBe(0)
  })
})
