import type { IncomingMessage, ServerResponse } from 'node:http'
import { DISCOVERY_PATH, JWKS_PATH, TOKEN_PATH } from '../../shared/constants.js'
import type { KeyRing } from '../keys/key-ring.js'
import { OAuthError } from '../oauth/oauth-error.js'
import { parseTokenRequest } from '../oauth/token-request.js'
import type { TokenService } from '../oauth/token-service.js'
import type { Logger } from '../platform/logger.js'
import { BodyTooLargeError, readBody } from './http-body.js'

/** Token requests are small forms; anything larger is refused before it is buffered. */
export const MAX_BODY_BYTES = 16 * 1024

export interface IssuerHandlerDeps {
  tokens: TokenService
  keys: KeyRing
  /** The discovery document, serialised once per issuer URL. */
  discoveryJson: () => string
  log: Logger
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void

/** plgd's m2m-oauth-server routes (interop §1.2); thin: parse, call the service, write. */
export function createIssuerHandler(deps: IssuerHandlerDeps): Handler {
  const routes: Record<string, Partial<Record<string, Handler>>> = {
    [TOKEN_PATH]: { POST: (req, res) => handleToken(deps, req, res) },
    [DISCOVERY_PATH]: {
      GET: (_req, res) => sendJson(res, 200, deps.discoveryJson(), 'max-age=60'),
    },
    [JWKS_PATH]: { GET: (_req, res) => sendJson(res, 200, deps.keys.jwksJson(), 'max-age=60') },
  }
  return async (req, res) => {
    const path = routePath(req.url ?? '/')
    const route = routes[path]
    if (!route) return sendStatus(res, 404, 5, `no route ${path}`)
    const handler = route[req.method ?? 'GET']
    if (!handler) {
      res.setHeader('Allow', Object.keys(route).join(', '))
      return sendStatus(res, 405, 4097, `method ${req.method} not allowed on ${path}`)
    }
    try {
      await handler(req, res)
    } catch (err) {
      deps.log.error('request failed', { path, error: err })
      if (!res.headersSent) sendStatus(res, 500, 13, 'internal error')
    }
  }
}

async function handleToken(
  deps: IssuerHandlerDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    const body = await readBody(req, MAX_BODY_BYTES)
    const request = parseTokenRequest(req.headers['content-type'], body, req.headers.authorization)
    const response = await deps.tokens.issueForRequest(
      request,
      req.socket.remoteAddress ?? 'unknown',
    )
    // RFC 6749 §5.1: token responses must not be cached.
    res.writeHead(200, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      pragma: 'no-cache',
    })
    res.end(JSON.stringify(response))
  } catch (err) {
    if (err instanceof BodyTooLargeError) {
      return sendOAuthError(res, new OAuthError('invalid_request', err.message), 413)
    }
    if (err instanceof OAuthError) return sendOAuthError(res, err)
    throw err
  }
}

function sendOAuthError(res: ServerResponse, err: OAuthError, status = err.status): void {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  }
  if (err.retryAfter !== undefined) headers['retry-after'] = String(err.retryAfter)
  if (status === 401 && err.basicChallenge)
    headers['www-authenticate'] = 'Basic realm="m2m-oauth-server"'
  res.writeHead(status, headers)
  res.end(`${JSON.stringify(err.toBody())}\n`)
}

/** plgd's google.rpc.Status error shape for everything that is not a token request. */
function sendStatus(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' })
  res.end(`${JSON.stringify({ code, message, details: [] })}\n`)
}

function sendJson(res: ServerResponse, status: number, json: string, cacheControl: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': cacheControl })
  res.end(json)
}

/** grpc-gateway strips one trailing slash before routing; the query never selects a route. */
function routePath(url: string): string {
  const q = url.indexOf('?')
  const path = q < 0 ? url : url.slice(0, q)
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
}
