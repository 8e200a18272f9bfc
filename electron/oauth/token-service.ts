import { randomUUID } from 'node:crypto'
import { GRANT_CLIENT_CREDENTIALS } from '../../shared/constants.js'
import type { IssuedToken } from '../../shared/contract.js'
import { AppError } from '../../shared/errors.js'
import type { ClientRecord } from '../clients/client-record.js'
import type { ClientRegistry } from '../clients/client-registry.js'
import type { KeyRing } from '../keys/key-ring.js'
import type { TokenLedger } from '../ledger/token-ledger.js'
import type { AuthThrottle } from './auth-throttle.js'
import { buildClaims } from './claims.js'
import { OAuthError } from './oauth-error.js'
import type { TokenRequest } from './token-request.js'
import { decideGrant, type GrantRequest } from './token-policy.js'

export interface IssuerIdentity {
  /** `iss` and the discovery `issuer`: https://<host>/m2m-oauth-server. */
  issuer: string
  ownerClaim: string
  maxLifetimeSeconds: number
}

export interface TokenServiceDeps {
  clients: ClientRegistry
  keys: KeyRing
  ledger: TokenLedger
  throttle: AuthThrottle
  identity: () => IssuerIdentity
  nowSeconds: () => number
}

/** The token endpoint's success body: keys as plgd writes them (sorted). */
export interface TokenResponse {
  access_token: string
  expires_in: number
  scope: string
  token_type: 'Bearer'
}

/**
 * Issues tokens: from the token endpoint after client authentication, or for the local
 * administrator (CLI, console), who applies the same policy without the client's secret.
 */
export class TokenService {
  readonly #deps: TokenServiceDeps

  constructor(deps: TokenServiceDeps) {
    this.#deps = deps
  }

  async issueForRequest(request: TokenRequest, remoteAddress: string): Promise<TokenResponse> {
    const { throttle } = this.#deps
    const wait = await throttle.retryAfter(request.clientId, remoteAddress)
    if (wait > 0) {
      throw new OAuthError(
        'temporarily_unavailable',
        'too many failed authentications; retry later',
        wait,
      )
    }
    let client: ClientRecord
    try {
      client = this.#authenticate(request)
    } catch (err) {
      await throttle.recordFailure(request.clientId, remoteAddress)
      if (err instanceof OAuthError)
        err.basicChallenge = request.authMethod === 'client_secret_basic'
      throw err
    }
    if (request.grantType === undefined)
      throw new OAuthError('invalid_request', 'grant_type is required')
    if (request.grantType !== GRANT_CLIENT_CREDENTIALS) {
      throw new OAuthError(
        'unsupported_grant_type',
        `grant type ${request.grantType} is not supported`,
      )
    }
    const issued = await this.#mint(client, request, request.tokenName)
    return {
      access_token: issued.accessToken,
      expires_in: issued.expiresIn,
      scope: issued.scope,
      token_type: 'Bearer',
    }
  }

  async issueAsAdmin(input: {
    clientId: string
    audiences: string[]
    scopes: string[]
    lifetimeSeconds?: number | undefined
    expiration?: number | undefined
    name?: string | undefined
  }): Promise<IssuedToken> {
    const client = this.#deps.clients.find(input.clientId)
    if (!client) throw new AppError('not_found', `no client ${input.clientId}`)
    if (client.disabled)
      throw new AppError('policy_violation', `client ${input.clientId} is disabled`)
    const expiration =
      input.lifetimeSeconds === undefined
        ? input.expiration
        : this.#deps.nowSeconds() + input.lifetimeSeconds
    try {
      return await this.#mint(
        client,
        { audiences: input.audiences, scopes: input.scopes, expiration },
        input.name,
      )
    } catch (err) {
      if (err instanceof OAuthError) throw new AppError('policy_violation', err.message)
      throw err
    }
  }

  #authenticate(request: TokenRequest): ClientRecord {
    if (request.clientId === undefined || request.clientId === '') {
      throw new OAuthError('invalid_client', 'client authentication is required')
    }
    if (request.clientAssertion !== undefined || request.clientAssertionType !== undefined) {
      throw new OAuthError('invalid_client', 'client assertions are not enabled for this client')
    }
    if (request.clientSecret === undefined) {
      throw new OAuthError('invalid_client', 'client authentication is required')
    }
    const client = this.#deps.clients.authenticate(request.clientId, request.clientSecret)
    // One message for unknown, disabled and wrong secret: nothing to learn by probing.
    if (!client) throw new OAuthError('invalid_client', 'client authentication failed')
    return client
  }

  async #mint(
    client: ClientRecord,
    request: GrantRequest,
    tokenName: string | undefined,
  ): Promise<IssuedToken> {
    const identity = this.#deps.identity()
    const now = this.#deps.nowSeconds()
    const grant = decideGrant(client, request, {
      nowSeconds: now,
      maxLifetimeSeconds: identity.maxLifetimeSeconds,
      ownerClaim: identity.ownerClaim,
    })
    const jti = randomUUID()
    const claims = buildClaims(client, grant, {
      issuer: identity.issuer,
      ownerClaim: identity.ownerClaim,
      jti,
      tokenName,
    })
    const accessToken = this.#deps.keys.active().signJwt(claims, client.tokenType)
    await this.#deps.ledger.record({
      id: jti,
      name: tokenName ?? '',
      owner: grant.owner,
      issuedAt: grant.iat,
      audience: grant.audiences,
      scope: grant.scopes,
      expiration: grant.exp,
      clientId: client.id,
      subject: String(claims.sub),
      originalTokenClaims: null,
      blacklisted: null,
    })
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: Math.max(0, grant.exp - this.#deps.nowSeconds()),
      expiresAt: grant.exp,
      scope: grant.scopes.join(' '),
      jti,
    }
  }
}
