import { v7 as uuidv7 } from 'uuid'
import { GRANT_CLIENT_CREDENTIALS } from '../../shared/constants.js'
import type { IssuedToken } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import type { ClientRecord } from '../clients/client-record.js'
import type { ClientRegistry } from '../clients/client-registry.js'
import type { TokenType } from '../../shared/enums.js'
import type { TokenRecord } from '../ledger/token-ledger.js'
import type { AuthenticationStats } from '../../shared/contract/index.js'
import type { Logger } from '../platform/logger.js'
import { AuthMonitor } from './auth-monitor.js'
import type { AuthThrottle } from './auth-throttle.js'
import { buildClaims } from './claims.js'
import { JWT_BEARER, type ClientAssertionVerifier } from './client-assertion.js'
import { clientAuthFailed, OAuthError } from './oauth-error.js'
import { TokenRejected, type RemoteAuthorityVerifier } from './remote-authority.js'
import type { TokenRequest } from './token-request.js'
import { decideGrant, type AssertionFacts, type GrantRequest } from './token-policy.js'

export interface IssuerIdentity {
  /** `iss` and the discovery `issuer`: https://<host>/m2m-oauth-server. */
  issuer: string
  tokenEndpoint: string
  ownerClaim: string
  deviceIdClaim: string
  maxLifetimeSeconds: number
  iatBackdateSeconds: number
}

/**
 * Signs a token and records it in the ledger; resolves with the token once the record is
 * committed (inline, or on the signing thread).
 */
export type IssueToken = (
  claims: Record<string, unknown>,
  typ: TokenType,
  record: TokenRecord,
) => Promise<string>

export interface TokenServiceDeps {
  clients: ClientRegistry
  issue: IssueToken
  throttle: AuthThrottle
  assertions: ClientAssertionVerifier
  authorities: RemoteAuthorityVerifier
  identity: () => IssuerIdentity
  nowSeconds: () => number
  /** Told of every token once it is recorded (events for the console). */
  onIssued?: (token: { jti: string; clientId: string; expiresAt: number }) => void
  /** Where failed authentications and throttle blocks are logged (rate-limited). */
  log?: Logger
}

/** The token endpoint's success body: keys as plgd writes them (sorted). */
export interface TokenResponse {
  access_token: string
  expires_in: number
  scope: string
  token_type: 'Bearer'
}

export interface AdminIssueInput {
  clientId: string
  audiences: string[]
  scopes: string[]
  lifetimeSeconds?: number | undefined
  expiration?: number | undefined
  name?: string | undefined
  deviceId?: string | undefined
  owner?: string | undefined
}

export interface Authenticated {
  client: ClientRecord
  assertion?: AssertionFacts
}

/**
 * What a token request asks the policy for. The owner and device id come from parameters named
 * after their claims (DPS sends the owner claim); `sub` is coap-gateway's subject, unless the
 * owner claim is itself `sub`, when that parameter names the owner.
 */
export function requestedGrant(
  request: TokenRequest,
  names: Pick<IssuerIdentity, 'ownerClaim' | 'deviceIdClaim'>,
): GrantRequest {
  return {
    audiences: request.audiences,
    scopes: request.scopes,
    expiration: request.expiration,
    owner: request.params.get(names.ownerClaim),
    deviceId: request.params.get(names.deviceIdClaim),
    subject: names.ownerClaim === 'sub' ? undefined : request.params.get('sub'),
  }
}

/** What a verified user token tells the policy: a claim that is not a non-empty string is absent. */
export function assertionFacts(
  claims: Record<string, unknown>,
  names: Pick<IssuerIdentity, 'ownerClaim' | 'deviceIdClaim'>,
): AssertionFacts {
  const text = (v: unknown): string | undefined =>
    typeof v === 'string' && v !== '' ? v : undefined
  return {
    owner: text(claims[names.ownerClaim]),
    subject: text(claims.sub),
    deviceId: text(claims[names.deviceIdClaim]),
    claims,
  }
}

/**
 * Issues tokens: from the token endpoint after client authentication, or for the local
 * administrator (CLI, console), who applies the same policy without the client's credentials.
 */
export class TokenService {
  readonly #deps: TokenServiceDeps
  readonly #monitor: AuthMonitor

  constructor(deps: TokenServiceDeps) {
    this.#deps = deps
    this.#monitor = new AuthMonitor(deps.log)
  }

  /** Failed client authentications and throttle blocks since start (the dashboard). */
  authenticationStats(): AuthenticationStats {
    return this.#monitor.stats()
  }

  async issueForRequest(request: TokenRequest, remoteAddress: string): Promise<TokenResponse> {
    const issued = await this.#issueAuthenticated(request, remoteAddress)
    return {
      access_token: issued.accessToken,
      expires_in: issued.expiresIn,
      scope: issued.scope,
      token_type: 'Bearer',
    }
  }

  /**
   * Client authentication under the failed-authentication budget: the token endpoint, its
   * camelCase twin, revocation and introspection all go through here.
   */
  async authenticateClient(request: TokenRequest, remoteAddress: string): Promise<Authenticated> {
    const { throttle } = this.#deps
    const wait = throttle.mayRefuse(remoteAddress) ? await throttle.retryAfter(remoteAddress) : 0
    if (wait > 0) {
      this.#monitor.refused(remoteAddress, request.clientId, wait)
      throw new OAuthError(
        'temporarily_unavailable',
        'too many failed authentications from this address; retry later',
        wait,
      )
    }
    try {
      // A secret client is checked synchronously (the hot path): no promise unless an assertion
      // has to be verified.
      const authenticated = this.#authenticate(request)
      return authenticated instanceof Promise ? await authenticated : authenticated
    } catch (err) {
      const oauth = err instanceof OAuthError ? err : undefined
      this.#monitor.failed({
        clientId: request.clientId ?? this.#assertionSubject(request),
        address: remoteAddress,
        reason: oauth?.reason ?? oauth?.message ?? (err as Error).message,
        method:
          request.clientAssertion !== undefined
            ? 'client_assertion'
            : (request.authMethod ?? 'none'),
      })
      if (await throttle.recordFailure(remoteAddress)) {
        const { failures, blockSeconds } = throttle.options
        this.#monitor.blocked(remoteAddress, failures, blockSeconds)
      }
      if (oauth) oauth.basicChallenge = request.authMethod === 'client_secret_basic'
      throw err
    }
  }

  /** Authenticates the client, then applies its policy; both create endpoints use it. */
  async #issueAuthenticated(request: TokenRequest, remoteAddress: string): Promise<IssuedToken> {
    const auth = await this.authenticateClient(request, remoteAddress)
    if (request.grantType === undefined)
      throw new OAuthError('invalid_request', 'grant_type is required')
    if (request.grantType !== GRANT_CLIENT_CREDENTIALS) {
      throw new OAuthError(
        'unsupported_grant_type',
        `grant type ${request.grantType} is not supported`,
      )
    }
    const identity = this.#deps.identity()
    return this.#mint(
      identity,
      auth.client,
      requestedGrant(request, identity),
      request.tokenName,
      auth.assertion,
    )
  }

  /** plgd's camelCase twin (POST /api/v1/tokens) answers with the same facts. */
  issueForTwin(request: TokenRequest, remoteAddress: string): Promise<IssuedToken> {
    return this.#issueAuthenticated(request, remoteAddress)
  }

  async issueAsAdmin(input: AdminIssueInput): Promise<IssuedToken> {
    const client = this.#deps.clients.find(input.clientId)
    if (!client) throw new AppError('not_found', `no client ${input.clientId}`)
    if (client.disabled)
      throw new AppError('policy_violation', `client ${input.clientId} is disabled`)
    if (client.auth.method === 'user_assertion') {
      throw new AppError(
        'policy_violation',
        `client ${input.clientId} mints only for a user assertion`,
      )
    }
    const expiration =
      input.lifetimeSeconds === undefined
        ? input.expiration
        : this.#deps.nowSeconds() + input.lifetimeSeconds
    try {
      return await this.#mint(
        this.#deps.identity(),
        client,
        {
          audiences: input.audiences,
          scopes: input.scopes,
          expiration,
          owner: input.owner,
          deviceId: input.deviceId,
        },
        input.name,
      )
    } catch (err) {
      if (err instanceof OAuthError) throw new AppError('policy_violation', err.message)
      throw err
    }
  }

  /**
   * Every failure is clientAuthFailed(reason): the caller reads one description, the log the
   * reason (OAuthError.reason). Throws synchronously, or returns a promise where an assertion is
   * verified.
   */
  #authenticate(request: TokenRequest): Authenticated | Promise<Authenticated> {
    const clientId = request.clientId ?? this.#assertionSubject(request)
    if (clientId === undefined || clientId === '') {
      throw clientAuthFailed('no client id (client_id, HTTP Basic or an assertion sub)')
    }
    const { clients } = this.#deps
    const client = clients.find(clientId)
    if (!client || client.auth.method === 'client_secret') {
      if (request.clientAssertion !== undefined) {
        throw clientAuthFailed(
          client ? 'a client assertion from a secret client' : 'unknown client id',
        )
      }
      if (request.clientSecret === undefined) {
        throw clientAuthFailed(client ? 'no client secret' : 'unknown client id')
      }
      // Constant time, also for unknown ids; the reason is looked up only once it has failed.
      const authenticated = clients.authenticate(clientId, request.clientSecret)
      if (!authenticated) {
        throw clientAuthFailed(
          !client ? 'unknown client id' : client.disabled ? 'client disabled' : 'wrong secret',
        )
      }
      return { client: authenticated }
    }
    if (client.disabled) throw clientAuthFailed('client disabled')
    if (request.clientSecret !== undefined) {
      throw clientAuthFailed(`a secret for a ${client.auth.method} client`)
    }
    if (request.clientAssertion === undefined) {
      // plgd mints without an assertion when the client has an owner; here it is required.
      throw clientAuthFailed(`no client_assertion for a ${client.auth.method} client`)
    }
    if (
      (request.clientAssertionType !== undefined || client.auth.method === 'private_key_jwt') &&
      request.clientAssertionType !== JWT_BEARER
    ) {
      throw clientAuthFailed(`client_assertion_type is not ${JWT_BEARER}`)
    }
    if (client.auth.method === 'private_key_jwt') {
      return this.#deps.assertions
        .verify(client as ClientRecord & { auth: typeof client.auth }, request.clientAssertion)
        .then(() => ({ client }))
    }
    return this.#userAssertion(client, request.clientAssertion).then((assertion) => ({
      client,
      assertion,
    }))
  }

  /** A plgd user assertion: a user token from a trusted authority, checked as a hub would. */
  async #userAssertion(client: ClientRecord, token: string): Promise<AssertionFacts> {
    if (client.auth.method !== 'user_assertion')
      throw clientAuthFailed('not a user_assertion client')
    let claims: Record<string, unknown>
    try {
      claims = await this.#deps.authorities.verify(token, client.auth.authorities)
    } catch (err) {
      const reason =
        err instanceof TokenRejected ? err.message : 'the authority could not be reached'
      throw clientAuthFailed(`invalid client assertion: ${reason}`)
    }
    return assertionFacts(claims, this.#deps.identity())
  }

  /** RFC 7523 lets a private_key_jwt client omit client_id: its assertion's `sub` names it. */
  #assertionSubject(request: TokenRequest): string | undefined {
    if (request.clientAssertion === undefined) return undefined
    try {
      const payload = request.clientAssertion.split('.')[1] ?? ''
      const sub = (
        JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }
      ).sub
      return typeof sub === 'string' ? sub : undefined
    } catch {
      return undefined
    }
  }

  async #mint(
    identity: IssuerIdentity,
    client: ClientRecord,
    request: GrantRequest,
    tokenName: string | undefined,
    assertion?: AssertionFacts,
  ): Promise<IssuedToken> {
    const now = this.#deps.nowSeconds()
    const grant = decideGrant(
      client,
      request,
      {
        nowSeconds: now,
        maxLifetimeSeconds: identity.maxLifetimeSeconds,
        iatBackdateSeconds: identity.iatBackdateSeconds,
      },
      assertion,
    )
    // Time-ordered: new ledger rows land at the end of the table instead of on random pages.
    const jti = uuidv7()
    const claims = buildClaims(client, grant, {
      issuer: identity.issuer,
      ownerClaim: identity.ownerClaim,
      deviceIdClaim: identity.deviceIdClaim,
      jti,
      tokenName,
      originalTokenClaims: assertion?.claims,
    })
    const accessToken = await this.#deps.issue(claims, client.tokenType, {
      id: jti,
      name: tokenName ?? '',
      owner: grant.owner,
      issuedAt: grant.iat,
      audience: grant.audiences,
      scope: grant.scopes,
      expiration: grant.exp,
      clientId: client.id,
      subject: grant.subject,
      originalTokenClaims: assertion?.claims ?? null,
      blacklisted: null,
    })
    this.#deps.onIssued?.({ jti, clientId: client.id, expiresAt: grant.exp })
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
