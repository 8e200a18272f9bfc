import { sign, type KeyObject } from 'node:crypto'
import type { KeyAlgorithm, TokenType } from '../../shared/enums.js'

/**
 * What the issuer sees of a signing key: never the private key itself. Signing uses
 * node:crypto directly on a pre-imported KeyObject with the header segment encoded once:
 * jose's SignJWT goes through WebCrypto and keeps about half the speed (toolchain notes).
 */
export interface Signer {
  readonly kid: string
  readonly alg: KeyAlgorithm
  signJwt(payload: Record<string, unknown>, typ: TokenType): Promise<string>
}

/** Builds the signer of a key from its PKCS#8 DER (inline, or on the signing thread). */
export type SignerFactory = (der: Buffer, kid: string, alg: KeyAlgorithm) => Signer

const HASH_OF: Record<KeyAlgorithm, string> = {
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
}

/** Signs compact JWS with one key: shared by the inline signer and the signing thread. */
export function compactSigner(
  privateKey: KeyObject,
  kid: string,
  alg: KeyAlgorithm,
): (payloadJson: string, typ: TokenType) => string {
  const hash = HASH_OF[alg]
  // JOSE wants the raw r||s form for ECDSA, not DER.
  const key = alg.startsWith('ES')
    ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const }
    : privateKey
  const headers: Record<TokenType, string> = {
    JWT: encodeSegment(JSON.stringify({ alg, kid, typ: 'JWT' })),
    'at+jwt': encodeSegment(JSON.stringify({ alg, kid, typ: 'at+jwt' })),
  }
  return (payloadJson, typ) => {
    const signingInput = `${headers[typ]}.${encodeSegment(payloadJson)}`
    return `${signingInput}.${sign(hash, Buffer.from(signingInput), key).toString('base64url')}`
  }
}

export function createSigner(privateKey: KeyObject, kid: string, alg: KeyAlgorithm): Signer {
  const signCompact = compactSigner(privateKey, kid, alg)
  return {
    kid,
    alg,
    signJwt: async (payload, typ) => signCompact(JSON.stringify(payload), typ),
  }
}

function encodeSegment(json: string): string {
  return Buffer.from(json).toString('base64url')
}
