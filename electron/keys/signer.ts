import { sign, type KeyObject } from 'node:crypto'
import type { KeyAlgorithm } from '../../shared/constants.js'

/**
 * What the issuer sees of a signing key: never the private key itself. Signing uses
 * node:crypto directly on a pre-imported KeyObject with the header segment encoded once:
 * jose's SignJWT goes through WebCrypto and keeps about half the speed (toolchain notes).
 */
export interface Signer {
  readonly kid: string
  readonly alg: KeyAlgorithm
  signJwt(payload: Record<string, unknown>, typ: 'JWT' | 'at+jwt'): string
}

const HASH_OF: Record<KeyAlgorithm, string> = {
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
}

export function createSigner(privateKey: KeyObject, kid: string, alg: KeyAlgorithm): Signer {
  const hash = HASH_OF[alg]
  // JOSE wants the raw r||s form for ECDSA, not DER.
  const key = alg.startsWith('ES')
    ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const }
    : privateKey
  const headers = {
    JWT: encodeSegment({ alg, kid, typ: 'JWT' }),
    'at+jwt': encodeSegment({ alg, kid, typ: 'at+jwt' }),
  }
  return {
    kid,
    alg,
    signJwt(payload, typ) {
      const signingInput = `${headers[typ]}.${encodeSegment(payload)}`
      const signature = sign(hash, Buffer.from(signingInput), key)
      return `${signingInput}.${signature.toString('base64url')}`
    },
  }
}

function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}
