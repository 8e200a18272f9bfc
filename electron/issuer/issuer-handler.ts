import type { IncomingMessage, ServerResponse } from 'node:http'
import { DISCOVERY_PATH, JWKS_PATH, TOKEN_PATH } from '../../shared/constants.js'
import type { KeyRing } from '../keys/key-ring.js'
import { OAuthError } from '../oauth/oauth-error.js'
import { parseTokenRequest } from '../oauth/token-request.js'
import type { TokenService } from '../oauth/token-service.js'
import type { Logger } from '../platform/logger.js'
import { BodyTooLargeError, readBody } from './http-body.js'
import {
  AUTHORIZATION_SERVER_METADATA_PATH,
  INTROSPECTION_PATH,
  REVOCATION_PATH,
  TOKENS_API_PATH,
} from './issuer-urls.js'
import {
  handleIntrospection,
  handleRevocation,
  type OAuthExtensionDeps,
} from './oauth-extensions.js'
import { sendJson, sendOAuthError, sendStatus } from './responses.js'
import { tokensApi, type TokensApiDeps } from './tokens-api.js'

/** Token requests are small forms; anything larger is refused before it is buffered. */
export const MAX_BODY_BYTES = 16 * 1024

export interface IssuerHandlerDeps {
  tokens: TokenService
  keys: KeyRing
  /** Discovery and RFC 8414 documents, serialised once per issuer URL. */
  discoveryJson: () => string
  metadataJson: () => string
  tokensApi: Omit<TokensApiDeps, 'maxBodyBytes' | 'tokens'>
  extensions: Omit<OAuthExtensionDeps, 'maxBodyBytes' | 'tokens' | 'keys'>
  log: Logger
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void

/** plgd's m2m-oauth-server routes (interop §1.2) and the RFC extras; thin: parse, call, write. */
export function createIssuerHandler(deps: IssuerHandlerDeps): Handler {
  const cached = { 'cache-control': 'max-age=60' }
  const extensions: OAuthExtensionDeps = {
    ...deps.extensions,
    tokens: deps.tokens,
    keys: deps.keys,
    maxBodyBytes: MAX_BODY_BYTES,
  }
  const routes: Record<string, Partial<Record<string, Handler>>> = {
    [TOKEN_PATH]: { POST: (req, res) => handleToken(deps, req, res) },
    [DISCOVERY_PATH]: { GET: (_req, res) => sendJson(res, 200, deps.discoveryJson(), cached) },
    [JWKS_PATH]: { GET: (_req, res) => sendJson(res, 200, deps.keys.jwksJson(), cached) },
    [AUTHORIZATION_SERVER_METADATA_PATH]: {
      GET: (_req, res) => sendJson(res, 200, deps.metadataJson(), cached),
    },
    [REVOCATION_PATH]: { POST: (req, res) => handleRevocation(extensions, req, res) },
    [INTROSPECTION_PATH]: { POST: (req, res) => handleIntrospection(extensions, req, res) },
    [TOKENS_API_PATH]: tokensApi({
      ...deps.tokensApi,
      tokens: deps.tokens,
      maxBodyBytes: MAX_BODY_BYTES,
    }),
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

/** grpc-gateway strips one trailing slash before routing; the query never selects a route. */
function routePath(url: string): string {
  const q = url.indexOf('?')
  const path = q < 0 ? url : url.slice(0, q)
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
}
