import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto'
import { decodeJwt, decodeProtectedHeader, type JWK } from 'jose'
import type { TrustedAuthority } from '../../shared/contract/index.js'
import { httpsGet, httpsGetJson } from '../net/http-client.js'

/** plgd compares issuers after collapsing duplicate slashes and trimming a trailing one. */
export function canonicalIssuer(uri: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/i.exec(uri)
  const rest = (m ? m[2]! : uri).replace(/\/{2,}/g, '/').replace(/\/+$/, '')
  return m ? `${m[1]!}${rest}` : rest
}

export class TokenRejected extends Error {}

interface Discovered {
  issuer: string
  jwksUri: string
  tokensEndpoint: string | undefined
  caPem: string | undefined
  keys: Map<string, JWK>
  fetchedAt: number
  /** Trust verification answers by jti, and until when each holds (seconds; Infinity: for good). */
  trust: Map<string, { blacklisted: boolean; until: number }>
  pending: Map<string, Promise<void>>
}

/** How long a "not blacklisted" answer holds: plgd's default cacheExpiration. */
const TRUST_CACHE_SECONDS = 30
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const HASH_OF: Record<string, string> = {
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
  PS256: 'sha256',
  PS384: 'sha384',
  PS512: 'sha512',
}

/**
 * Verifies a token issued by another authority exactly as a plgd hub service does
 * (interop §2.2–§2.4): discovery at `<authority>/.well-known/openid-configuration`, the key by
 * `kid` whose `alg` must equal the header's, one JWKS refetch on an unknown kid, `exp`/`nbf`
 * checked, `iat` never in the future (zero leeway), no audience check, and token-trust
 * verification (§2.5) where the authority advertises a tokens endpoint.
 */
export class RemoteAuthorityVerifier {
  readonly #discovered = new Map<string, Promise<Discovered>>()
  readonly #nowSeconds: () => number

  constructor(nowSeconds: () => number) {
    this.#nowSeconds = nowSeconds
  }

  async verify(
    token: string,
    authorities: readonly TrustedAuthority[],
  ): Promise<Record<string, unknown>> {
    let header: ReturnType<typeof decodeProtectedHeader>
    let claims: Record<string, unknown>
    try {
      header = decodeProtectedHeader(token)
      claims = decodeJwt(token) as Record<string, unknown>
    } catch {
      throw new TokenRejected('not a JWT')
    }
    if (typeof claims.iss !== 'string') throw new TokenRejected('the token has no issuer')
    const issuer = canonicalIssuer(claims.iss)
    let authority: Discovered | undefined
    for (const a of authorities) {
      const d = await this.#discover(a)
      if (canonicalIssuer(d.issuer) === issuer) authority = d
    }
    if (!authority) throw new TokenRejected(`unknown issuer ${claims.iss}`)
    if (typeof header.kid !== 'string') throw new TokenRejected('missing key id in token')
    const jwk = await this.#key(authority, header.kid)
    if (!jwk.alg || jwk.alg !== header.alg) {
      throw new TokenRejected(`key ${header.kid} is not for algorithm ${header.alg}`)
    }
    const hash = HASH_OF[header.alg]
    if (!hash) throw new TokenRejected(`unsupported algorithm ${header.alg}`)
    const [h, p, s] = token.split('.') as [string, string, string]
    const key: KeyObject = createPublicKey({
      key: jwk as import('node:crypto').JsonWebKey,
      format: 'jwk',
    })
    const keyOptions = header.alg.startsWith('ES')
      ? { key, dsaEncoding: 'ieee-p1363' as const }
      : header.alg.startsWith('PS')
        ? { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: -1 }
        : key
    if (!verifySignature(hash, Buffer.from(`${h}.${p}`), keyOptions, Buffer.from(s, 'base64url'))) {
      throw new TokenRejected('invalid signature')
    }
    checkTimes(claims, this.#nowSeconds())
    if (authority.tokensEndpoint)
      await this.#verifyTrust(authority, authority.tokensEndpoint, token, claims)
    return claims
  }

  /**
   * plgd's token-trust verification (interop §2.5), for authorities that advertise a tokens
   * endpoint: ask it about this jti with the token itself as bearer. "Not blacklisted" holds for
   * 30 s, "blacklisted" until the token expires; errors are not cached; one request per jti at
   * a time.
   */
  async #verifyTrust(
    authority: Discovered,
    endpoint: string,
    token: string,
    claims: Record<string, unknown>,
  ): Promise<void> {
    const jti = claims.jti
    if (typeof jti !== 'string' || !UUID.test(jti)) throw new TokenRejected('jti is not a UUID')
    const now = this.#nowSeconds()
    const cached = authority.trust.get(jti)
    if (!cached || cached.until <= now) {
      let pending = authority.pending.get(jti)
      if (!pending) {
        pending = this.#askTrust(authority, endpoint, token, jti).finally(() =>
          authority.pending.delete(jti),
        )
        authority.pending.set(jti, pending)
      }
      await pending
    }
    if (authority.trust.get(jti)?.blacklisted) throw new TokenRejected('token is blacklisted')
  }

  async #askTrust(
    authority: Discovered,
    endpoint: string,
    token: string,
    jti: string,
  ): Promise<void> {
    const url = `${endpoint}?idFilter=${encodeURIComponent(jti)}&includeBlacklisted=true`
    let res
    try {
      res = await httpsGet(url, {
        caPem: authority.caPem,
        headers: { accept: 'application/protojson', authorization: `bearer ${token}` },
      })
    } catch (err) {
      throw new TokenRejected(`trust verification failed: ${(err as Error).message}`)
    }
    if (res.status !== 200)
      throw new TokenRejected(`trust verification answered HTTP ${res.status}`)
    const first = res.body.toString('utf8').trim().split('\n')[0] ?? ''
    let record: { blacklisted?: { flag?: unknown } | null; expiration?: unknown }
    try {
      const value = JSON.parse(first) as { result?: typeof record } & typeof record
      record = value.result ?? value
    } catch {
      throw new TokenRejected('trust verification found no record of the token')
    }
    const blacklisted = record.blacklisted?.flag === true
    const exp = Number(record.expiration ?? 0)
    const now = this.#nowSeconds()
    if (authority.trust.size > 10_000) authority.trust.clear()
    authority.trust.set(jti, {
      blacklisted,
      until: blacklisted ? (exp > 0 ? exp : Infinity) : now + TRUST_CACHE_SECONDS,
    })
  }

  #discover(authority: TrustedAuthority): Promise<Discovered> {
    const key = `${authority.authority}\n${authority.caPem ?? ''}`
    const cached = this.#discovered.get(key)
    if (cached) return cached
    const loading = (async (): Promise<Discovered> => {
      const base = authority.authority.replace(/\/+$/, '')
      const doc = (await httpsGetJson(`${base}/.well-known/openid-configuration`, {
        caPem: authority.caPem,
      })) as Record<string, unknown>
      for (const field of ['issuer', 'token_endpoint', 'jwks_uri']) {
        if (typeof doc[field] !== 'string' || doc[field] === '') {
          throw new TokenRejected(`${base} discovery has no ${field}`)
        }
      }
      return {
        issuer: doc.issuer as string,
        jwksUri: doc.jwks_uri as string,
        tokensEndpoint:
          typeof doc.plgd_tokens_endpoint === 'string' ? doc.plgd_tokens_endpoint : undefined,
        caPem: authority.caPem,
        keys: new Map(),
        fetchedAt: 0,
        trust: new Map(),
        pending: new Map(),
      }
    })()
    this.#discovered.set(key, loading)
    // A failed discovery is retried on the next token rather than cached.
    loading.catch(() => this.#discovered.delete(key))
    return loading
  }

  async #key(authority: Discovered, kid: string): Promise<JWK> {
    const known = authority.keys.get(kid)
    if (known) return known
    // Unknown kid: fetch the JWKS again (rotations), at most once every 10 seconds.
    if (this.#nowSeconds() - authority.fetchedAt >= 10) {
      const jwks = (await httpsGetJson(authority.jwksUri, { caPem: authority.caPem })) as {
        keys?: JWK[]
      }
      authority.keys = new Map((jwks.keys ?? []).filter((k) => k.kid).map((k) => [k.kid!, k]))
      authority.fetchedAt = this.#nowSeconds()
    }
    const found = authority.keys.get(kid)
    if (!found) throw new TokenRejected(`unknown key ${kid}`)
    return found
  }
}

/** golang-jwt's checks as plgd configures them: exp and nbf if present, iat not in the future. */
export function checkTimes(claims: Record<string, unknown>, now: number): void {
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined)
  const exp = num(claims.exp)
  const nbf = num(claims.nbf)
  const iat = num(claims.iat)
  if (exp !== undefined && now >= exp) throw new TokenRejected('token is expired')
  if (nbf !== undefined && now < nbf) throw new TokenRejected('token is not valid yet')
  if (iat !== undefined && iat > now) throw new TokenRejected('token used before issued')
}
