import type { ServerResponse } from 'node:http'
import type { OAuthError } from '../oauth/oauth-error.js'

/** plgd's google.rpc.Status error shape (interop §0). */
export function sendStatus(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' })
  res.end(`${JSON.stringify({ code, message, details: [] })}\n`)
}

/** RFC 6749 §5.2 and plgd fields in one object, so both kinds of client read it. */
export function sendOAuthError(res: ServerResponse, err: OAuthError, status = err.status): void {
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

export function sendJson(
  res: ServerResponse,
  status: number,
  json: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(json)
}
