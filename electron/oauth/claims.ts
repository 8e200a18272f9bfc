import type { ClientRecord } from '../clients/client-record.js'
import type { Grant } from './token-policy.js'

export interface ClaimsContext {
  issuer: string
  ownerClaim: string
  deviceIdClaim: string
  jti: string
  tokenName: string | undefined
  /** Claims of a plgd user assertion, embedded as `originalTokenClaims`. */
  originalTokenClaims?: Record<string, unknown> | undefined
}

/**
 * plgd's payload (interop §1.9): base claims, `exp`, the device id, `name`, the owner claim,
 * `originalTokenClaims`, then the client's extra claims, which never replace a claim already set.
 */
export function buildClaims(
  client: ClientRecord,
  grant: Grant,
  ctx: ClaimsContext,
): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    jti: ctx.jti,
    sub: grant.subject,
    iat: grant.iat,
    exp: grant.exp,
    scope: grant.scopes.join(' '),
    client_id: client.id,
    iss: ctx.issuer,
  }
  if (grant.audiences.length > 0) claims.aud = grant.audiences
  if (grant.deviceId !== undefined) claims[ctx.deviceIdClaim] = grant.deviceId
  if (ctx.tokenName && ctx.ownerClaim !== 'name') claims.name = ctx.tokenName
  if (grant.owner) claims[ctx.ownerClaim] = grant.owner
  if (ctx.originalTokenClaims) claims.originalTokenClaims = ctx.originalTokenClaims
  for (const [key, value] of Object.entries(client.extraClaims)) {
    // Own keys only, and defined rather than assigned: an extra claim named like an Object
    // method, or `__proto__`, is a plain claim.
    if (!Object.hasOwn(claims, key)) {
      Object.defineProperty(claims, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
  }
  return claims
}
