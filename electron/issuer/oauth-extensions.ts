import type { IncomingMessage, ServerResponse } from 'node:http'
import type { KeyRing } from '../keys/key-ring.js'
import type { TokenLedger } from '../ledger/token-ledger.js'
import { OAuthError } from '../oauth/oauth-error.js'
import { parseTokenRequest } from '../oauth/token-request.js'
import type { TokenService } from '../oauth/token-service.js'
import { BodyTooLargeError, readBody } from './http-body.js'
import { sendJson, sendOAuthError } from './responses.js'

export interface OAuthExtensionDeps {
  tokens: TokenService
  keys: KeyRing
  ledger: TokenLedger
  ownerClaim: () => string
  nowSeconds: () => number
  maxBodyBytes: number
  onRevoked: (clientId: string, ids: string[]) => void
}

async function authenticatedForm(deps: OAuthExtensionDeps, req: IncomingMessage) {
  const body = await readBody(req, deps.maxBodyBytes)
  const request = parseTokenRequest(req.headers['content-type'], body, req.headers.authorization)
  const { client } = await deps.tokens.authenticateClient(
    request,
    req.socket.remoteAddress ?? 'unknown',
  )
  const token = request.params.get('token')
  if (!token) throw new OAuthError('invalid_request', 'the token parameter is required')
  return { client, token, jti: jtiOf(deps.keys, token) }
}

function jtiOf(keys: KeyRing, token: string): string | undefined {
  const jti = keys.verifyOwn(token)?.payload.jti
  return typeof jti === 'string' ? jti : undefined
}

/** RFC 7009: a client revokes its own tokens; unknown or foreign tokens answer 200 all the same. */
export async function handleRevocation(
  deps: OAuthExtensionDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    const { client, jti } = await authenticatedForm(deps, req)
    if (jti) {
      const revoked = deps.ledger.blacklist([jti], deps.nowSeconds(), { clientId: client.id })
      if (revoked.length > 0) deps.onRevoked(client.id, revoked)
    }
    res.writeHead(200, { 'cache-control': 'no-store' })
    res.end()
  } catch (err) {
    handleError(res, err)
  }
}

/**
 * RFC 7662, consistent with the ledger: active only when the signature holds, the record
 * exists, is not revoked and has not expired, and it belongs to an owner the caller serves.
 */
export async function handleIntrospection(
  deps: OAuthExtensionDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    const { client, jti } = await authenticatedForm(deps, req)
    const record = jti ? deps.ledger.get(jti) : undefined
    const now = deps.nowSeconds()
    const serves =
      record !== undefined &&
      (record.clientId === client.id ||
        [client.owner, ...client.allowedOwners].includes(record.owner))
    const active = record !== undefined && serves && !record.blacklisted && record.expiration > now
    const body: Record<string, unknown> = active
      ? {
          active: true,
          jti: record.id,
          client_id: record.clientId,
          sub: record.subject,
          scope: record.scope.join(' '),
          token_type: 'Bearer',
          iat: record.issuedAt,
          exp: record.expiration,
          ...(record.audience.length ? { aud: record.audience } : {}),
          [deps.ownerClaim()]: record.owner,
        }
      : { active: false }
    sendJson(res, 200, JSON.stringify(body), { 'cache-control': 'no-store' })
  } catch (err) {
    handleError(res, err)
  }
}

function handleError(res: ServerResponse, err: unknown): void {
  if (err instanceof BodyTooLargeError)
    return sendOAuthError(res, new OAuthError('invalid_request', err.message), 413)
  if (err instanceof OAuthError) return sendOAuthError(res, err)
  throw err
}
