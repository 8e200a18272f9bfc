import type { ClientRecord } from '../clients/client-record.js'
import { OAuthError } from './oauth-error.js'

export interface PolicyContext {
  nowSeconds: number
  /** The issuer's global lifetime cap. */
  maxLifetimeSeconds: number
  ownerClaim: string
}

export interface GrantRequest {
  audiences: string[]
  scopes: string[]
  /** Absolute expiry in unix seconds, if the caller asked for one. */
  expiration: number | undefined
  /** Parameters named after claims (DPS sends `<ownerClaim>=<owner>`). */
  params?: ReadonlyMap<string, string>
}

export interface Grant {
  audiences: string[]
  scopes: string[]
  owner: string
  iat: number
  exp: number
}

/**
 * What a client may get, by plgd's rules (interop §1.3, §1.8), made stricter where plgd is
 * weak: every token expires, and a request beyond the client's lifetime is refused, never clamped.
 */
export function decideGrant(
  client: ClientRecord,
  request: GrantRequest,
  ctx: PolicyContext,
): Grant {
  const owner = request.params?.get(ctx.ownerClaim)
  if (owner !== undefined && owner !== client.owner) {
    throw new OAuthError('invalid_request', `owner ${owner} is not allowed for client ${client.id}`)
  }
  return {
    audiences: allowedAudiences(client, request.audiences),
    scopes: allowedScopes(client, request.scopes),
    owner: client.owner,
    iat: ctx.nowSeconds,
    exp: expiry(client, request.expiration, ctx),
  }
}

function allowedAudiences(client: ClientRecord, requested: string[]): string[] {
  if (client.audiences.length === 0) {
    if (requested.length > 0) {
      throw new OAuthError('invalid_target', `client ${client.id} may not request any audience`)
    }
    return []
  }
  if (requested.length === 0) {
    throw new OAuthError(
      'invalid_target',
      `client ${client.id} must request one of its audiences: ${client.audiences.join(' ')}`,
    )
  }
  const refused = requested.filter((a) => !client.audiences.includes(a))
  if (refused.length > 0) {
    throw new OAuthError(
      'invalid_target',
      `audience not allowed for client ${client.id}: ${refused.join(' ')}`,
    )
  }
  return requested
}

function allowedScopes(client: ClientRecord, requested: string[]): string[] {
  if (requested.length === 0) return [...client.scopes]
  const refused = requested.filter((s) => !client.scopes.includes(s))
  if (refused.length > 0) {
    throw new OAuthError(
      'invalid_scope',
      `scope not allowed for client ${client.id}: ${refused.join(' ')}`,
    )
  }
  return requested
}

function expiry(client: ClientRecord, expiration: number | undefined, ctx: PolicyContext): number {
  const lifetime = Math.min(client.maxLifetimeSeconds, ctx.maxLifetimeSeconds)
  const latest = ctx.nowSeconds + lifetime
  if (expiration === undefined) return latest
  if (expiration <= ctx.nowSeconds) {
    // plgd mints a non-expiring token for expiration == now; every token here expires.
    throw new OAuthError(
      'invalid_request',
      `expiration ${expiration} must be after the current time ${ctx.nowSeconds}`,
    )
  }
  if (expiration > latest) {
    throw new OAuthError(
      'invalid_request',
      `expiration ${expiration} is beyond the maximum lifetime of ${lifetime} s for client ${client.id}`,
    )
  }
  return expiration
}
