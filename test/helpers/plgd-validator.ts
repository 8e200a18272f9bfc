import { Agent, request } from 'node:https'
import { compactVerify, importJWK, type JWK } from 'jose'

/**
 * A token validator that behaves the way a plgd hub service's `pkg/security/jwt/validator`
 * does (plgd interop notes §2.2–§2.4), so a token it accepts is one a hub accepts:
 *
 * - at start, `GET <authority>/.well-known/openid-configuration` (the path is appended to the
 *   authority, not inserted RFC 8414 style); `issuer`, `token_endpoint` and `jwks_uri` must be
 *   non-empty, and keys are registered under the canonical issuer (duplicate slashes after the
 *   scheme collapsed, trailing `/` trimmed);
 * - per token: the canonical `iss` must be that issuer; the header `kid` is required; the key is
 *   looked up by `kid` in the cached JWKS, which is re-fetched (once) on a miss; the JWK's `alg`
 *   must equal the header `alg`; the signature is verified with it;
 * - golang-jwt v5 claim checks with zero leeway: `exp` if present (a missing one is accepted),
 *   `nbf` if present, and `iat` in the future is rejected; no audience check;
 * - the owner comes from the configured owner claim; the `jti` must parse as a UUID (the
 *   token-trust check keys its cache by it);
 * - token-trust verification (§2.5) when, and only when, discovery advertises
 *   `plgd_tokens_endpoint`: `GET <endpoint>?idFilter=<jti>&includeBlacklisted=true` with the
 *   token itself as lowercase `bearer`; anything but a 200 whose first JSON value is a
 *   non-blacklisted record rejects the token;
 * - optionally (`tokenTrustVerification`), plgd's trust-verification cache, keyed by the parsed
 *   jti: a non-blacklisted answer is reused for `cacheExpiration` seconds, a blacklisted one
 *   until the record's `expiration` (forever when 0), errors are never cached, and concurrent
 *   validations of one jti share one request. Without the option every validation asks again.
 *
 * HTTPS uses the issuer's CA only, as a hub's `caPool` with `useSystemCAPool: false`.
 */

export const DEFAULT_OWNER_CLAIM = 'https://plgd.dev/owner'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export class PlgdValidationError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PlgdValidationError'
  }
}

export interface PlgdValidatorOptions {
  /** The configured `authority` (the issuer URL, e.g. https://host:port/m2m-oauth-server). */
  authority: string
  /** PEM of the CA pool the hub is given for this endpoint. */
  ca: string | Buffer
  ownerClaim?: string
  timeoutMs?: number
  /** Seconds since the epoch (float); tests may pin it. It also drives the trust cache. */
  now?: () => number
  /**
   * plgd's `tokenTrustVerification` block (interop §2.1, §2.5). Given: answers are cached as a
   * hub caches them. Absent: no cache (each validation sends its own request).
   */
  tokenTrustVerification?: TokenTrustVerificationOptions
}

export interface TokenTrustVerificationOptions {
  /** Seconds a non-blacklisted answer is reused; plgd's default (and 0) is 30. */
  cacheExpiration?: number
}

/** What the trust request answered, reduced to the two fields a hub reads. */
interface TrustAnswer {
  blacklisted: boolean
  /** The record's expiration, unix seconds; 0 = none. */
  expiration: number
}

interface TrustCacheEntry {
  blacklisted: boolean
  /** Validator-clock seconds until which the entry answers. */
  until: number
}

/** plgd's default `tokenTrustVerification.cacheExpiration`. */
export const DEFAULT_TRUST_CACHE_EXPIRATION_SECONDS = 30

export interface DiscoveryDocument {
  issuer: string
  token_endpoint: string
  jwks_uri: string
  [key: string]: unknown
}

export interface ValidatedToken {
  owner: string
  header: { alg: string; kid: string; typ?: string }
  claims: Record<string, unknown>
  jwk: JWK
}

/** plgd's CanonicalURI: duplicate slashes after the scheme collapsed, trailing slashes trimmed. */
export function canonicalUri(uri: string): string {
  const scheme = uri.indexOf('://')
  const head = scheme < 0 ? '' : uri.slice(0, scheme + 3)
  const rest = (scheme < 0 ? uri : uri.slice(scheme + 3)).replace(/\/{2,}/g, '/')
  return `${head}${rest}`.replace(/\/+$/, '')
}

export class PlgdValidator {
  readonly issuer: string
  readonly discovery: DiscoveryDocument
  readonly ownerClaim: string
  /** How many times the JWKS was fetched (lazily: on the first unknown kid, then on misses). */
  jwksFetches = 0
  /** How many token-trust requests were sent (only with `plgd_tokens_endpoint`). */
  trustChecks = 0
  /** Validations answered from the trust cache without a request (only with the cache). */
  trustCacheHits = 0
  #keys = new Map<string, JWK>()
  readonly #agent: Agent
  readonly #timeoutMs: number
  readonly #now: () => number
  /** Seconds a non-blacklisted answer is kept; undefined: no cache. */
  readonly #trustCacheExpiration: number | undefined
  readonly #trustCache = new Map<string, TrustCacheEntry>()
  readonly #trustInFlight = new Map<string, Promise<TrustAnswer>>()

  private constructor(discovery: DiscoveryDocument, agent: Agent, options: PlgdValidatorOptions) {
    this.discovery = discovery
    this.issuer = canonicalUri(discovery.issuer)
    this.ownerClaim = options.ownerClaim ?? DEFAULT_OWNER_CLAIM
    this.#agent = agent
    this.#timeoutMs = options.timeoutMs ?? 10_000
    this.#now = options.now ?? (() => Date.now() / 1000)
    const trust = options.tokenTrustVerification
    if (trust !== undefined) {
      const expiration = trust.cacheExpiration ?? 0
      if (!Number.isFinite(expiration) || expiration < 0) {
        throw new RangeError(`cacheExpiration must be a non-negative number, got ${expiration}`)
      }
      this.#trustCacheExpiration =
        expiration === 0 ? DEFAULT_TRUST_CACHE_EXPIRATION_SECONDS : expiration
    }
  }

  /** Service start: discovery must succeed, or the hub service does not start. */
  static async create(options: PlgdValidatorOptions): Promise<PlgdValidator> {
    const agent = new Agent({ ca: options.ca, keepAlive: false })
    const url = `${options.authority}/.well-known/openid-configuration`
    const doc = await getJson(url, agent, options.timeoutMs ?? 10_000)
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw new PlgdValidationError(`discovery at ${url} is not a JSON object`)
    }
    const d = doc as Record<string, unknown>
    for (const field of ['issuer', 'token_endpoint', 'jwks_uri']) {
      if (typeof d[field] !== 'string' || d[field] === '') {
        throw new PlgdValidationError(`discovery at ${url} has no ${field}`)
      }
    }
    return new PlgdValidator(d as DiscoveryDocument, agent, options)
  }

  /** Validates one bearer token; throws PlgdValidationError with the reason a hub would give. */
  async validate(token: string): Promise<ValidatedToken> {
    const parts = token.split('.')
    if (parts.length !== 3) throw new PlgdValidationError('token is not a compact JWS')
    const header = decodePart(parts[0]!, 'header')
    const claims = decodePart(parts[1]!, 'claims')

    // Key function: issuer, kid, JWKS lookup, alg match.
    if (typeof claims.iss !== 'string') throw new PlgdValidationError('missing issuer')
    if (canonicalUri(claims.iss) !== this.issuer) {
      throw new PlgdValidationError(`unknown issuer ${claims.iss}`)
    }
    if (typeof header.kid !== 'string' || header.kid === '') {
      throw new PlgdValidationError('missing key id in token')
    }
    if (typeof header.alg !== 'string' || header.alg === '' || header.alg === 'none') {
      throw new PlgdValidationError('missing or unusable alg in token header')
    }
    const kid = header.kid
    let jwk = this.#keys.get(kid)
    if (!jwk) {
      await this.refreshJwks()
      jwk = this.#keys.get(kid)
    }
    if (!jwk) throw new PlgdValidationError(`could not find key for kid ${kid}`)
    if (jwk.alg !== header.alg) {
      throw new PlgdValidationError(`key ${kid} has alg ${jwk.alg}, token header has ${header.alg}`)
    }

    // Signature.
    try {
      const key = await importJWK(jwk, header.alg)
      await compactVerify(token, key, { algorithms: [header.alg] })
    } catch (err) {
      throw new PlgdValidationError(`signature verification failed: ${(err as Error).message}`)
    }

    // golang-jwt v5 registered claims, zero leeway.
    const now = this.#now()
    const numeric = (name: string): number | undefined => {
      const v = claims[name]
      if (v === undefined) return undefined
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new PlgdValidationError(`${name} is not a numeric date`)
      }
      return v
    }
    const exp = numeric('exp')
    if (exp !== undefined && !(now < exp)) throw new PlgdValidationError('token is expired')
    const nbf = numeric('nbf')
    if (nbf !== undefined && now < nbf) throw new PlgdValidationError('token is not valid yet')
    const iat = numeric('iat')
    if (iat !== undefined && now < iat) throw new PlgdValidationError('token used before issued')

    // What the services then read.
    if (typeof claims.jti !== 'string' || !UUID.test(claims.jti)) {
      throw new PlgdValidationError(`jti ${String(claims.jti)} is not a UUID`)
    }
    const owner = claims[this.ownerClaim]
    if (typeof owner !== 'string' || owner === '') {
      throw new PlgdValidationError(`owner claim ${this.ownerClaim} is missing`)
    }
    const tokensEndpoint = this.discovery.plgd_tokens_endpoint
    if (typeof tokensEndpoint === 'string' && tokensEndpoint !== '') {
      await this.#verifyTrust(tokensEndpoint, token, claims.jti)
    }
    return {
      owner,
      header: {
        alg: header.alg,
        kid,
        ...(typeof header.typ === 'string' ? { typ: header.typ } : {}),
      },
      claims,
      jwk,
    }
  }

  /** jwk.Fetch(jwks_uri): the whole set is replaced. Keys without kid cannot be looked up. */
  async refreshJwks(): Promise<Map<string, JWK>> {
    this.jwksFetches++
    const doc = await getJson(this.discovery.jwks_uri, this.#agent, this.#timeoutMs)
    const keys = (doc as { keys?: unknown }).keys
    if (!Array.isArray(keys)) throw new PlgdValidationError('JWKS has no keys array')
    const next = new Map<string, JWK>()
    for (const key of keys as JWK[]) {
      if (typeof key.kid === 'string' && key.kid !== '') next.set(key.kid, key)
    }
    this.#keys = next
    return next
  }

  /** §2.5: the issuer's own record of the token must exist and not be blacklisted. */
  async #verifyTrust(endpoint: string, token: string, jti: string): Promise<void> {
    const expiration = this.#trustCacheExpiration
    if (expiration === undefined) {
      if ((await this.#askTrust(endpoint, token, jti)).blacklisted) {
        throw new PlgdValidationError('token is blacklisted')
      }
      return
    }
    // plgd keys the cache by the parsed UUID, so letter case does not matter.
    const key = jti.toLowerCase()
    const cached = this.#trustCache.get(key)
    if (cached !== undefined && this.#now() < cached.until) {
      this.trustCacheHits++
      if (cached.blacklisted) throw new PlgdValidationError('token is blacklisted')
      return
    }
    let pending = this.#trustInFlight.get(key)
    if (pending === undefined) {
      pending = this.#askTrust(endpoint, token, jti).then(
        (answer) => {
          this.#trustInFlight.delete(key)
          // A blacklisted answer stands until the token expires (forever without exp).
          const until = answer.blacklisted
            ? answer.expiration > 0
              ? answer.expiration
              : Number.POSITIVE_INFINITY
            : this.#now() + expiration
          this.#trustCache.set(key, { blacklisted: answer.blacklisted, until })
          return answer
        },
        (err: unknown) => {
          // Errors are not cached: the next validation asks again.
          this.#trustInFlight.delete(key)
          throw err
        },
      )
      this.#trustInFlight.set(key, pending)
    } else {
      this.trustCacheHits++
    }
    if ((await pending).blacklisted) throw new PlgdValidationError('token is blacklisted')
  }

  /** One trust request; throws unless it answers 200 with a record. */
  async #askTrust(endpoint: string, token: string, jti: string): Promise<TrustAnswer> {
    this.trustChecks++
    const query = new URLSearchParams({ idFilter: jti, includeBlacklisted: 'true' })
    const url = `${endpoint}?${query.toString()}`
    const res = await httpGet(url, this.#agent, this.#timeoutMs, {
      accept: 'application/protojson',
      authorization: `bearer ${token}`,
    })
    if (res.status !== 200) {
      throw new PlgdValidationError(`token trust verification: HTTP ${res.status}: ${res.text}`)
    }
    const first = firstJsonValue(res.text)
    if (typeof first !== 'object' || first === null) {
      throw new PlgdValidationError(`token trust verification: no record for ${jti}`)
    }
    const wrapped = first as { result?: unknown }
    const record = (
      typeof wrapped.result === 'object' && wrapped.result !== null ? wrapped.result : first
    ) as { blacklisted?: { flag?: unknown } | null; expiration?: unknown }
    // int64 as a number or a string; anything else reads as 0 (no expiry).
    const expiration = Number(record.expiration ?? 0)
    return {
      blacklisted: record.blacklisted?.flag === true,
      expiration: Number.isFinite(expiration) ? expiration : 0,
    }
  }

  close(): void {
    this.#agent.destroy()
  }
}

function decodePart(part: string, what: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
  } catch {
    throw new PlgdValidationError(`token ${what} is not base64url JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PlgdValidationError(`token ${what} is not a JSON object`)
  }
  return value as Record<string, unknown>
}

async function getJson(url: string, agent: Agent, timeoutMs: number): Promise<unknown> {
  const res = await httpGet(url, agent, timeoutMs, { accept: 'application/json' })
  if (res.status !== 200) {
    throw new PlgdValidationError(`GET ${url}: HTTP ${res.status}: ${res.text}`)
  }
  try {
    return JSON.parse(res.text)
  } catch {
    throw new PlgdValidationError(`GET ${url}: body is not JSON`)
  }
}

function httpGet(
  url: string,
  agent: Agent,
  timeoutMs: number,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent, timeout: timeoutMs, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      )
    })
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)))
    req.on('error', reject)
    req.end()
  })
}

/** The first JSON value of a grpc-gateway stream (concatenated values); undefined if none. */
function firstJsonValue(text: string): unknown {
  const start = text.search(/\S/)
  if (start < 0) return undefined
  const open = text[start]
  if (open !== '{' && open !== '[') {
    throw new PlgdValidationError('token trust verification: body is not a JSON object')
  }
  let depth = 0
  let inString = false
  for (let i = start; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '{' || c === '[') depth++
    else if (c === '}' || c === ']') {
      depth--
      if (depth === 0) {
        try {
          return JSON.parse(text.slice(start, i + 1))
        } catch {
          break
        }
      }
    }
  }
  throw new PlgdValidationError('token trust verification: malformed JSON body')
}
