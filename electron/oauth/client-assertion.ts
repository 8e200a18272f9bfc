import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  jwtVerify,
  type JWTVerifyGetKey,
} from 'jose'
import type { ClientAuth } from '../../shared/contract/index.js'
import type { ClientRecord } from '../clients/client-record.js'
import { httpsGet } from '../net/http-client.js'
import { clientAuthFailed } from './oauth-error.js'

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** Seconds of clock difference tolerated between a client and us. */
const LEEWAY_SECONDS = 30
/** An assertion is a one-shot credential: it must not live longer than this. */
const MAX_ASSERTION_LIFETIME_SECONDS = 600

export interface ClientAssertionDeps {
  nowSeconds: () => number
  /** What `aud` may name: the token endpoint or the issuer (RFC 7523 §3). */
  audiences: () => string[]
  /** False when the (client, jti) pair was seen before: a replay. */
  claimJti: (clientId: string, jti: string, exp: number) => boolean
}

type PrivateKeyJwt = Extract<ClientAuth, { method: 'private_key_jwt' }>

/**
 * RFC 7523 §3 private_key_jwt: the client signs a short-lived JWT with its own key; we check it
 * against the public JWKS it registered (inline or by URL) and never accept a jti twice.
 */
export class ClientAssertionVerifier {
  readonly #deps: ClientAssertionDeps
  readonly #remoteSets = new Map<string, JWTVerifyGetKey>()

  constructor(deps: ClientAssertionDeps) {
    this.#deps = deps
  }

  async verify(client: ClientRecord & { auth: PrivateKeyJwt }, assertion: string): Promise<void> {
    const now = this.#deps.nowSeconds()
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload']
    try {
      ;({ payload } = await jwtVerify(assertion, this.#keySet(client.auth), {
        issuer: client.id,
        subject: client.id,
        audience: this.#deps.audiences(),
        clockTolerance: LEEWAY_SECONDS,
        currentDate: new Date(now * 1000),
        requiredClaims: ['exp', 'jti'],
      }))
    } catch (err) {
      throw clientAuthFailed(`client assertion rejected: ${(err as Error).message}`)
    }
    const exp = payload.exp!
    if (exp - now > MAX_ASSERTION_LIFETIME_SECONDS) {
      throw clientAuthFailed(
        `client assertion lives too long: exp may be at most ${MAX_ASSERTION_LIFETIME_SECONDS} s ahead`,
      )
    }
    if (typeof payload.jti !== 'string' || payload.jti === '') {
      throw clientAuthFailed('client assertion has no jti')
    }
    if (!this.#deps.claimJti(client.id, payload.jti, exp + LEEWAY_SECONDS)) {
      throw clientAuthFailed('client assertion was already used')
    }
  }

  #keySet(auth: PrivateKeyJwt): JWTVerifyGetKey {
    if (auth.jwks) return createLocalJWKSet(auth.jwks as Parameters<typeof createLocalJWKSet>[0])
    const uri = auth.jwksUri!
    let set = this.#remoteSets.get(uri)
    if (!set) {
      set = createRemoteJWKSet(new URL(uri), {
        timeoutDuration: 10_000,
        // Bounded, https-only fetch (Node's fetch has no size limit of its own).
        [customFetch]: async (url: string) => {
          const res = await httpsGet(url)
          return new Response(new Uint8Array(res.body), { status: res.status })
        },
      })
      this.#remoteSets.set(uri, set)
    }
    return set
  }
}
