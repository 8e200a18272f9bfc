import type { ClientRecord } from '../clients/client-record.js'
import { OAuthError } from './oauth-error.js'

export interface PolicyContext {
  nowSeconds: number
  /** The issuer's global lifetime cap. */
  maxLifetimeSeconds: number
  /** `iat` is set this far in the past for hubs whose clock runs behind (plgd allows no leeway). */
  iatBackdateSeconds?: number
}

export interface GrantRequest {
  audiences: string[]
  scopes: string[]
  /** Absolute expiry in unix seconds, if the caller asked for one. */
  expiration: number | undefined
  /** Owner asked for by a parameter named after the owner claim (DPS, coap-gateway). */
  owner?: string | undefined
  /** Device id asked for by a parameter named after the device-id claim. */
  deviceId?: string | undefined
  /** coap-gateway's `sub` parameter. */
  subject?: string | undefined
}

/** What a verified plgd user assertion contributes (interop §1.10). */
export interface AssertionFacts {
  owner: string | undefined
  subject: string | undefined
  deviceId: string | undefined
  claims: Record<string, unknown>
}

export interface Grant {
  audiences: string[]
  scopes: string[]
  owner: string
  subject: string
  deviceId: string | undefined
  iat: number
  exp: number
}

/**
 * What a client may get, by plgd's rules (interop §1.3, §1.8, §3.1), made stricter where plgd
 * is weak: every token expires, a request beyond the client's lifetime is refused (never
 * clamped), and owner, device id and subject parameters are honoured only within the policy.
 */
export function decideGrant(
  client: ClientRecord,
  request: GrantRequest,
  ctx: PolicyContext,
  assertion?: AssertionFacts,
): Grant {
  const owner = decideOwner(client, request.owner, assertion)
  return {
    audiences: allowedAudiences(client, request.audiences),
    scopes: allowedScopes(client, request.scopes),
    owner,
    subject: decideSubject(client, owner, request.subject, assertion),
    deviceId: decideDeviceId(client, request.deviceId, assertion),
    iat: ctx.nowSeconds - (ctx.iatBackdateSeconds ?? 0),
    exp: expiry(client, request.expiration, ctx),
  }
}

export function decideOwner(
  client: ClientRecord,
  requested: string | undefined,
  assertion?: AssertionFacts,
): string {
  if (assertion) {
    if (!assertion.owner)
      throw new OAuthError('invalid_grant', 'the user assertion carries no owner claim')
    if (requested !== undefined && requested !== assertion.owner) {
      throw new OAuthError(
        'invalid_request',
        `owner ${requested} differs from the assertion's owner`,
      )
    }
    return assertion.owner
  }
  if (requested === undefined || requested === client.owner) return client.owner
  if (!client.allowedOwners.includes(requested)) {
    throw new OAuthError(
      'invalid_request',
      `owner ${requested} is not allowed for client ${client.id}`,
    )
  }
  return requested
}

export function decideSubject(
  client: ClientRecord,
  owner: string,
  requested: string | undefined,
  assertion?: AssertionFacts,
): string {
  const fallback = assertion?.subject ?? (owner || client.id)
  if (requested === undefined || requested === fallback) return fallback
  // Only a gateway client trusted with several owners may name another subject (coap-gateway).
  if (assertion || client.allowedOwners.length === 0) {
    throw new OAuthError(
      'invalid_request',
      `subject ${requested} is not allowed for client ${client.id}`,
    )
  }
  return requested
}

export function decideDeviceId(
  client: ClientRecord,
  requested: string | undefined,
  assertion?: AssertionFacts,
): string | undefined {
  if (assertion?.deviceId !== undefined) {
    if (requested !== undefined && requested !== assertion.deviceId) {
      throw new OAuthError('invalid_request', "the device id differs from the assertion's")
    }
    return assertion.deviceId
  }
  if (requested === undefined) return undefined
  if (!client.allowDeviceId) {
    throw new OAuthError('invalid_request', `client ${client.id} may not request a device id`)
  }
  return requested
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
      `the requested expiry is not in the future (${new Date(expiration * 1000).toISOString()}): every token must expire later than now`,
    )
  }
  if (expiration > latest) {
    // Said as a lifetime, as the user asked for it: a unix time they never typed helps no one.
    const whose =
      client.maxLifetimeSeconds <= ctx.maxLifetimeSeconds
        ? `client ${client.id}'s maximum`
        : "the issuer's maximum (settings: max lifetime)"
    throw new OAuthError(
      'invalid_request',
      `a lifetime of ${spokenDuration(expiration - ctx.nowSeconds)} is over ${whose} of ${spokenDuration(lifetime)}`,
    )
  }
  return expiration
}

/** Seconds in the units people type: 7200 → 2h, 5400 → 90m, 45 → 45s. */
export function spokenDuration(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds > 0 && seconds % size === 0) return `${seconds / size}${unit}`
  }
  return `${seconds}s`
}
