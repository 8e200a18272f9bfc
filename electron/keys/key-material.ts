import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose'
import { v5 as uuidv5 } from 'uuid'
import type { KeyAlgorithm, SigningAlgorithm } from '../../shared/enums.js'
import { AppError } from '../../shared/errors.js'

/** plgd derives `kid` as UUIDv5 in the X.500 namespace over the SubjectPublicKeyInfo DER. */
const X500_NAMESPACE = '6ba7b814-9dad-11d1-80b4-00c04fd430c8'

const CURVE_OF: Record<string, string> = {
  ES256: 'prime256v1',
  ES384: 'secp384r1',
  ES512: 'secp521r1',
}
const ALG_OF_CURVE: Record<string, KeyAlgorithm> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
}

export function generatePrivateKey(alg: SigningAlgorithm): KeyObject {
  if (alg === 'RS256') return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  const namedCurve = CURVE_OF[alg]
  if (!namedCurve) throw new AppError('invalid_input', `unsupported algorithm ${alg}`)
  return generateKeyPairSync('ec', { namedCurve }).privateKey
}

/** The algorithm plgd's m2m-oauth-server picks for a key, so an imported key signs the same way. */
export function algorithmForKey(key: KeyObject): KeyAlgorithm {
  const details = key.asymmetricKeyDetails ?? {}
  if (key.asymmetricKeyType === 'ec') {
    const alg = ALG_OF_CURVE[details.namedCurve ?? '']
    if (!alg)
      throw new AppError(
        'invalid_input',
        `EC curve ${details.namedCurve} is not supported (use P-256, P-384 or P-521)`,
      )
    return alg
  }
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0
    if (bits < 2048)
      throw new AppError('invalid_input', `an RSA key of ${bits} bits is too weak (at least 2048)`)
    if (bits === 3072) return 'RS384'
    if (bits === 4096) return 'RS512'
    return 'RS256'
  }
  throw new AppError(
    'invalid_input',
    `a ${key.asymmetricKeyType ?? 'unknown'} key cannot sign plgd tokens (use an EC or RSA key)`,
  )
}

/** Reads the first private key of a PEM: PKCS#8, SEC1 (`EC PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`). */
export function importPrivateKeyPem(pem: string): KeyObject {
  const block = /-----BEGIN ((?:EC |RSA )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/.exec(pem)
  const encrypted = pem.includes('ENCRYPTED PRIVATE KEY') || /Proc-Type:\s*4,ENCRYPTED/.test(pem)
  if (!block || encrypted) {
    throw new AppError(
      'invalid_input',
      encrypted
        ? 'the PEM is encrypted: decrypt it first (openssl pkey -in key.pem -out plain.pem)'
        : 'no PKCS#8, SEC1 or PKCS#1 private key block found in the PEM',
    )
  }
  try {
    return createPrivateKey({ key: block[0], format: 'pem' })
  } catch (cause) {
    throw new AppError('invalid_input', 'the private key in the PEM cannot be parsed', { cause })
  }
}

export function plgdKid(privateKey: KeyObject): string {
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' })
  return uuidv5(spki, X500_NAMESPACE)
}

/** The public JWK as validators need it: `kid` and `alg` always present (plgd requires both). */
export async function publicJwk(
  privateKey: KeyObject,
  kid: string,
  alg: KeyAlgorithm,
): Promise<JWK> {
  const jwk = await exportJWK(createPublicKey(privateKey))
  return { ...jwk, kid, alg, use: 'sig' }
}

export async function thumbprintKid(privateKey: KeyObject): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(createPublicKey(privateKey)), 'sha256')
}

export function privateKeyDer(privateKey: KeyObject): Buffer {
  return privateKey.export({ format: 'der', type: 'pkcs8' })
}

export function privateKeyFromDer(der: Buffer): KeyObject {
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
}
