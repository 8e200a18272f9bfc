import type { TrustedAuthority } from '../../shared/contract/index.js'
import type { KeyRing } from '../keys/key-ring.js'
import type { TokenLedger, TokenRecord } from '../ledger/token-ledger.js'
import {
  canonicalIssuer,
  checkTimes,
  TokenRejected,
  type RemoteAuthorityVerifier,
} from '../oauth/remote-authority.js'

export interface Bearer {
  claims: Record<string, unknown>
  /** Our own token's ledger record; undefined for another authority's token. */
  record: TokenRecord | undefined
}

export interface BearerAuthDeps {
  keys: KeyRing
  ledger: TokenLedger
  authorities: RemoteAuthorityVerifier
  /** Other issuers whose users may call the tokens API (plgd: the customer's OAuth authority). */
  trustedAuthorities: () => readonly TrustedAuthority[]
  issuer: () => string
  nowSeconds: () => number
}

/** Verified signatures, by token: a hub asks about the same token again and again. */
const CACHE_LIMIT = 10_000

/**
 * Authenticates the bearer of a tokens-API call: one of our tokens (signature, issuer, times;
 * then its ledger record), or a token from a trusted authority, checked as a hub would.
 */
export class BearerAuthenticator {
  readonly #deps: BearerAuthDeps
  readonly #verified = new Map<string, Record<string, unknown>>()

  constructor(deps: BearerAuthDeps) {
    this.#deps = deps
  }

  async authenticate(authorization: string | undefined): Promise<Bearer> {
    const m = /^bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
    if (!m) throw new TokenRejected('a bearer token is required')
    const token = m[1]!
    const now = this.#deps.nowSeconds()
    const own = this.#verifyOwn(token, now)
    if (own) {
      const record = this.#deps.ledger.get(String(own.jti))
      if (!record) throw new TokenRejected('unknown token')
      return { claims: own, record }
    }
    const claims = await this.#deps.authorities.verify(token, this.#deps.trustedAuthorities())
    return { claims, record: undefined }
  }

  #verifyOwn(token: string, now: number): Record<string, unknown> | undefined {
    let claims = this.#verified.get(token)
    if (!claims) {
      const verified = this.#deps.keys.verifyOwn(token)
      if (!verified) return undefined
      if (
        typeof verified.payload.iss !== 'string' ||
        canonicalIssuer(verified.payload.iss) !== canonicalIssuer(this.#deps.issuer())
      ) {
        throw new TokenRejected('the token was issued by another issuer')
      }
      claims = verified.payload
      if (this.#verified.size >= CACHE_LIMIT)
        this.#verified.delete(this.#verified.keys().next().value!)
      this.#verified.set(token, claims)
    }
    try {
      checkTimes(claims, now)
    } catch (err) {
      this.#verified.delete(token)
      throw err
    }
    return claims
  }
}
