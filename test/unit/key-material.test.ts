// @vitest-environment node
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto'
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  exportJWK,
  jwtVerify,
  type JSONWebKeySet,
} from 'jose'
import { describe, expect, it } from 'vitest'
import type { KeyAlgorithm, SigningAlgorithm } from '../../shared/enums.js'
import { AppError } from '../../shared/errors.js'
import {
  algorithmForKey,
  generatePrivateKey,
  importPrivateKeyPem,
  plgdKid,
  privateKeyDer,
  privateKeyFromDer,
  publicJwk,
  thumbprintKid,
} from '../../electron/keys/key-material.js'
import { createSigner } from '../../electron/keys/signer.js'

/** A fixed P-256 test key (generated for this test only) and its plgd kid, computed offline. */
const FIXED_PEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZ8aTBr+6WrsBLjo6
TvBHGMgNbS7hI6s1pGKNZCfrTbKhRANCAARu3b5az6e5IEfm8wdMr6TVjHHtKcCh
9aALC3g2VzZuLLGbD+hYB8sk4ap+8bR7EVyucGIGbw4oVd501+/QS6OR
-----END PRIVATE KEY-----
`
const FIXED_KID = '1bec3afc-06fb-53da-92cd-8813160d8e8c'
/** RFC 4122 Appendix C: the X.500 name space. */
const X500_NAMESPACE_HEX = '6ba7b8149dad11d180b400c04fd430c8'

const NOW = Math.floor(Date.now() / 1000)

// RSA key generation is the slow part of the suite: one 2048-bit key serves every RSA case.
const rsaKeys = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ecKeys = {
  'P-256': generateKeyPairSync('ec', { namedCurve: 'prime256v1' }),
  'P-384': generateKeyPairSync('ec', { namedCurve: 'secp384r1' }),
  'P-521': generateKeyPairSync('ec', { namedCurve: 'secp521r1' }),
}

function spkiOf(key: KeyObject): Buffer {
  return createPublicKey(key).export({ format: 'der', type: 'spki' })
}

/** UUIDv5 (RFC 4122 §4.3) written out by hand: SHA-1 over name space + name, then version/variant. */
function uuidV5ByHand(namespaceHex: string, name: Buffer): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespaceHex, 'hex'))
    .update(name)
    .digest()
    .subarray(0, 16)
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80
  const hex = hash.toString('hex')
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ].join('-')
}

function appError(fn: () => unknown): AppError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error('expected an AppError, but the call returned')
}

/** An RSA public key with a modulus of exactly `bits` bits, without the cost of generating one. */
function rsaPublicKeyOfSize(bits: number): KeyObject {
  const n = Buffer.alloc(bits / 8, 0xab)
  n[0] = 0xc5
  n[n.length - 1] = 0x01
  return createPublicKey({
    key: { kty: 'RSA', n: n.toString('base64url'), e: 'AQAB' },
    format: 'jwk',
  })
}

describe('generatePrivateKey + createSigner: tokens verify against the published JWK', () => {
  const cases: [SigningAlgorithm, 'JWT' | 'at+jwt'][] = [
    ['ES256', 'JWT'],
    ['ES256', 'at+jwt'],
    ['ES384', 'JWT'],
    ['ES512', 'at+jwt'],
    ['RS256', 'JWT'],
    ['RS256', 'at+jwt'],
  ]
  const generated = new Map<SigningAlgorithm, KeyObject>()
  const keyFor = (alg: SigningAlgorithm): KeyObject => {
    let key = generated.get(alg)
    if (!key) {
      key = generatePrivateKey(alg)
      generated.set(alg, key)
    }
    return key
  }

  it.each(cases)('%s, typ %s', async (alg, typ) => {
    const key = keyFor(alg)
    expect(key.type).toBe('private')
    expect(algorithmForKey(key)).toBe(alg)
    const kid = plgdKid(key)
    const jwk = await publicJwk(key, kid, alg)
    expect(jwk).toMatchObject({ kid, alg, use: 'sig' })
    expect(jwk).not.toHaveProperty('d')
    expect(jwk).not.toHaveProperty('p')

    const signer = createSigner(key, kid, alg)
    expect(signer).toMatchObject({ kid, alg })
    const payload = { sub: '1', iat: NOW, exp: NOW + 60, scope: '' }
    const token = await signer.signJwt(payload, typ)
    expect(decodeProtectedHeader(token)).toStrictEqual({ alg, kid, typ })

    const jwks: JSONWebKeySet = { keys: [jwk] }
    const verified = await jwtVerify(token, createLocalJWKSet(jwks), { typ, algorithms: [alg] })
    expect(verified.payload).toStrictEqual(payload)
  })

  it('a token does not verify against another key with the same kid', async () => {
    const key = keyFor('ES256')
    const kid = plgdKid(key)
    const token = await createSigner(key, kid, 'ES256').signJwt({ exp: NOW + 60 }, 'JWT')
    const impostor = await publicJwk(generatePrivateKey('ES256'), kid, 'ES256')
    await expect(jwtVerify(token, createLocalJWKSet({ keys: [impostor] }))).rejects.toThrow(
      /signature verification failed/,
    )
  })

  it('a token with a changed payload does not verify', async () => {
    const key = keyFor('ES384')
    const kid = plgdKid(key)
    const [h, , s] = (
      await createSigner(key, kid, 'ES384').signJwt({ sub: '1', exp: NOW + 60 }, 'JWT')
    ).split('.')
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: '2', exp: NOW + 60 })).toString('base64url')}.${s}`
    const jwks = createLocalJWKSet({ keys: [await publicJwk(key, kid, 'ES384')] })
    await expect(jwtVerify(forged, jwks)).rejects.toThrow(/signature verification failed/)
  })
})

describe('importPrivateKeyPem', () => {
  const pemCases: [string, KeyObject, 'pkcs8' | 'sec1' | 'pkcs1', string, KeyAlgorithm][] = [
    ['P-256 PKCS#8', ecKeys['P-256'].privateKey, 'pkcs8', 'PRIVATE KEY', 'ES256'],
    ['P-256 SEC1', ecKeys['P-256'].privateKey, 'sec1', 'EC PRIVATE KEY', 'ES256'],
    ['P-384 SEC1', ecKeys['P-384'].privateKey, 'sec1', 'EC PRIVATE KEY', 'ES384'],
    ['P-384 PKCS#8', ecKeys['P-384'].privateKey, 'pkcs8', 'PRIVATE KEY', 'ES384'],
    ['P-521 SEC1', ecKeys['P-521'].privateKey, 'sec1', 'EC PRIVATE KEY', 'ES512'],
    ['P-521 PKCS#8', ecKeys['P-521'].privateKey, 'pkcs8', 'PRIVATE KEY', 'ES512'],
    ['RSA 2048 PKCS#1', rsaKeys.privateKey, 'pkcs1', 'RSA PRIVATE KEY', 'RS256'],
    ['RSA 2048 PKCS#8', rsaKeys.privateKey, 'pkcs8', 'PRIVATE KEY', 'RS256'],
  ]

  it.each(pemCases)('reads %s', (_name, source, type, label, alg) => {
    const pem = source.export({ type, format: 'pem' }) as string
    expect(pem).toContain(`-----BEGIN ${label}-----`)
    const key = importPrivateKeyPem(pem)
    expect(key.type).toBe('private')
    expect(spkiOf(key).equals(spkiOf(source))).toBe(true)
    expect(algorithmForKey(key)).toBe(alg)
    expect(plgdKid(key)).toBe(plgdKid(source))
  })

  it.each<[string, (pem: string) => string]>([
    ['after a certificate and text', (pem) => `subject=CN=x\n${CERT_LIKE}\n${pem}`],
    ['after an EC PARAMETERS block (openssl ecparam -genkey)', (pem) => `${EC_PARAMS_P256}${pem}`],
    ['with CRLF line endings', (pem) => pem.replace(/\n/g, '\r\n')],
    ['followed by a second key', (pem) => `${pem}${FIXED_PEM}`],
  ])('finds the first key %s', (_name, wrap) => {
    const source = ecKeys['P-256'].privateKey
    const pem = wrap(source.export({ type: 'sec1', format: 'pem' }) as string)
    expect(spkiOf(importPrivateKeyPem(pem)).equals(spkiOf(source))).toBe(true)
  })

  it.each<[string, string]>([
    [
      'an encrypted PKCS#8 key',
      ecKeys['P-256'].privateKey.export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'correct horse',
      }) as string,
    ],
  ])('refuses %s and says how to decrypt it', (_name, pem) => {
    const err = appError(() => importPrivateKeyPem(pem))
    expect(err.code).toBe('invalid_input')
    expect(err.message).toMatch(/encrypted/i)
    expect(err.message).toMatch(/decrypt/i)
  })

  it('names the encryption of a legacy encrypted SEC1 key (Proc-Type header)', () => {
    const pem = ecKeys['P-256'].privateKey.export({
      format: 'pem',
      type: 'sec1',
      cipher: 'aes-256-cbc',
      passphrase: 'pw',
    }) as string
    expect(pem).toContain('Proc-Type: 4,ENCRYPTED')
    const err = appError(() => importPrivateKeyPem(pem))
    expect(err.code).toBe('invalid_input')
    expect(err.message).toMatch(/encrypted.*openssl pkey/)
  })

  it.each<[string, string, RegExp]>([
    ['an empty string', '', /no PKCS#8, SEC1 or PKCS#1 private key/],
    [
      'a public key',
      rsaKeys.publicKey.export({ type: 'spki', format: 'pem' }) as string,
      /no PKCS#8/,
    ],
    ['a certificate', CERT_LIKE, /no PKCS#8/],
    [
      'an OpenSSH key',
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbg==\n-----END OPENSSH PRIVATE KEY-----\n',
      /no PKCS#8/,
    ],
    [
      'mismatched BEGIN/END labels',
      '-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
      /no PKCS#8/,
    ],
    [
      'a corrupt body',
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
      /cannot be parsed/,
    ],
    [
      'a body of another type',
      `-----BEGIN RSA PRIVATE KEY-----\n${FIXED_PEM.split('\n').slice(1, -2).join('\n')}\n-----END RSA PRIVATE KEY-----\n`,
      /cannot be parsed/,
    ],
  ])('refuses %s with invalid_input', (_name, pem, message) => {
    const err = appError(() => importPrivateKeyPem(pem))
    expect(err.code).toBe('invalid_input')
    expect(err.message).toMatch(message)
  })
})

describe('algorithmForKey: the algorithm plgd picks', () => {
  it.each<[string, () => KeyObject, KeyAlgorithm]>([
    ['P-256', () => ecKeys['P-256'].privateKey, 'ES256'],
    ['P-384', () => ecKeys['P-384'].privateKey, 'ES384'],
    ['P-521', () => ecKeys['P-521'].privateKey, 'ES512'],
    ['a P-256 public key', () => ecKeys['P-256'].publicKey, 'ES256'],
    ['RSA 2048 (generated)', () => rsaKeys.privateKey, 'RS256'],
    // Generating 3072- and 4096-bit keys takes seconds: these are public keys with a modulus of
    // the right size, which is all the mapping reads.
    ['RSA 2048', () => rsaPublicKeyOfSize(2048), 'RS256'],
    ['RSA 3072', () => rsaPublicKeyOfSize(3072), 'RS384'],
    ['RSA 4096', () => rsaPublicKeyOfSize(4096), 'RS512'],
  ])('%s → %s', (_name, key, alg) => {
    expect(algorithmForKey(key())).toBe(alg)
  })

  it.each<[string, () => KeyObject, RegExp]>([
    ['Ed25519', () => generateKeyPairSync('ed25519').privateKey, /ed25519 key cannot sign/],
    ['Ed448', () => generateKeyPairSync('ed448').privateKey, /ed448 key cannot sign/],
    ['X25519', () => generateKeyPairSync('x25519').privateKey, /x25519 key cannot sign/],
    [
      'secp256k1',
      () => generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey,
      /curve secp256k1 is not supported/,
    ],
    ['RSA 1024', () => rsaPublicKeyOfSize(1024), /1024 bits is too weak/],
    ['RSA 2040', () => rsaPublicKeyOfSize(2040), /too weak/],
  ])('refuses %s', (_name, key, message) => {
    const err = appError(() => algorithmForKey(key()))
    expect(err.code).toBe('invalid_input')
    expect(err.message).toMatch(message)
  })

  it('refuses an Ed25519 PEM at import time too', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' })
    expect(appError(() => algorithmForKey(importPrivateKeyPem(pem as string))).code).toBe(
      'invalid_input',
    )
  })
})

describe('plgdKid: UUIDv5 in the X.500 name space over the SPKI DER', () => {
  it('matches the known answer for a fixed key', () => {
    expect(plgdKid(createPrivateKey(FIXED_PEM))).toBe(FIXED_KID)
  })

  it('matches an independent SHA-1 computation for the fixed key', () => {
    const key = createPrivateKey(FIXED_PEM)
    expect(uuidV5ByHand(X500_NAMESPACE_HEX, spkiOf(key))).toBe(FIXED_KID)
  })

  it.each<[string, () => KeyObject]>([
    ['P-256', () => ecKeys['P-256'].privateKey],
    ['P-521', () => ecKeys['P-521'].privateKey],
    ['RSA', () => rsaKeys.privateKey],
  ])('matches an independent computation for a %s key, and is a version 5 UUID', (_name, key) => {
    const kid = plgdKid(key())
    expect(kid).toBe(uuidV5ByHand(X500_NAMESPACE_HEX, spkiOf(key())))
    expect(kid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it('is the same for every PEM encoding of one key and differs between keys', () => {
    const key = ecKeys['P-384'].privateKey
    const kids = (['pkcs8', 'sec1'] as const).map((type) =>
      plgdKid(importPrivateKeyPem(key.export({ type, format: 'pem' }) as string)),
    )
    expect(kids[0]).toBe(kids[1])
    expect(kids[0]).not.toBe(plgdKid(ecKeys['P-256'].privateKey))
  })
})

describe('thumbprintKid and DER round trip', () => {
  it('is the RFC 7638 SHA-256 thumbprint of the public JWK', async () => {
    const key = createPrivateKey(FIXED_PEM)
    const jwk = await exportJWK(createPublicKey(key))
    const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })
    const expected = createHash('sha256').update(canonical).digest('base64url')
    expect(await thumbprintKid(key)).toBe(expected)
  })

  it.each<[string, () => KeyObject]>([
    ['EC', () => ecKeys['P-521'].privateKey],
    ['RSA', () => rsaKeys.privateKey],
  ])('%s private key survives PKCS#8 DER export and import', (_name, key) => {
    const der = privateKeyDer(key())
    const back = privateKeyFromDer(der)
    expect(back.type).toBe('private')
    expect(spkiOf(back).equals(spkiOf(key()))).toBe(true)
    expect(privateKeyDer(back).equals(der)).toBe(true)
  })
})

const CERT_LIKE = `-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUbm90LWEtcmVhbC1jZXJ0aWZpY2F0ZTAKBggqhkjOPQQD
-----END CERTIFICATE-----`

/** `openssl ecparam -name prime256v1 -genkey` writes this block before the key. */
const EC_PARAMS_P256 = `-----BEGIN EC PARAMETERS-----
BggqhkjOPQMBBw==
-----END EC PARAMETERS-----
`
