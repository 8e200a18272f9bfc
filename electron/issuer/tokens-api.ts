import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TokenLedger, TokenRecord } from '../ledger/token-ledger.js'
import { OAuthError } from '../oauth/oauth-error.js'
import { TokenRejected } from '../oauth/remote-authority.js'
import type { TokenRequest } from '../oauth/token-request.js'
import type { TokenService } from '../oauth/token-service.js'
import type { BearerAuthenticator } from './bearer-auth.js'
import { BodyTooLargeError, readBody } from './http-body.js'
import { sendOAuthError, sendStatus } from './responses.js'
import {
  listPage,
  ListRateLimit,
  NEXT_PAGE_HEADER,
  writeLines,
  type ListRate,
} from './token-list.js'

export interface TokensApiDeps {
  bearer: BearerAuthenticator
  ledger: TokenLedger
  tokens: TokenService
  ownerClaim: () => string
  nowSeconds: () => number
  maxBodyBytes: number
  /** Full lists per bearer (DEFAULT_LIST_RATE unless given: tests). */
  listRate?: ListRate | undefined
  /** Told of every blacklisting, for the audit log and the console. */
  onBlacklisted: (
    owner: string,
    ids: string[],
    counts: { blacklistedCount: number; deletedCount: number },
  ) => void
}

/** plgd's tokens API (interop §1.4, §1.7) under /m2m-oauth-server/api/v1/tokens. */
export function tokensApi(
  deps: TokensApiDeps,
): Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> {
  const lists = new ListRateLimit(deps.listRate)
  return {
    GET: (req, res) => listTokens(deps, lists, req, res),
    DELETE: (req, res) => deleteTokens(deps, req, res),
    POST: (req, res) => createToken(deps, req, res),
  }
}

async function caller(
  deps: TokensApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<{ owner: string; ownJti: string | undefined; revoked: boolean } | undefined> {
  let bearer
  try {
    bearer = await deps.bearer.authenticate(req.headers.authorization)
  } catch (err) {
    const reason = err instanceof TokenRejected ? err.message : 'the token could not be verified'
    sendStatus(res, 401, 16, `cannot access to ${req.url}: invalid token: ${reason}`)
    return undefined
  }
  const owner = bearer.claims[deps.ownerClaim()]
  if (typeof owner !== 'string' || owner === '') {
    sendStatus(res, 400, 3, `the token has no ${deps.ownerClaim()} claim`)
    return undefined
  }
  return {
    owner,
    ownJti: bearer.record?.id,
    revoked: bearer.record?.blacklisted?.flag === true,
  }
}

function query(req: IncomingMessage): URLSearchParams {
  return new URL(req.url ?? '/', 'http://x').searchParams
}

async function listTokens(
  deps: TokensApiDeps,
  lists: ListRateLimit,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const who = await caller(deps, req, res)
  if (!who) return
  const q = query(req)
  const ids = [...q.getAll('idFilter'), ...q.getAll('id_filter')]
  const includeBlacklisted =
    (q.get('includeBlacklisted') ?? q.get('include_blacklisted')) === 'true'
  // A revoked token may still read its own record: the hub then caches "blacklisted" until
  // exp instead of asking again on every request (decisions.md).
  if (who.revoked && !(ids.length === 1 && ids[0] === who.ownJti)) {
    sendStatus(res, 401, 16, `cannot access to ${req.url}: invalid token: token is blacklisted`)
    return
  }
  const page = listPage(q)
  if ('error' in page) return sendStatus(res, 400, 3, page.error)
  if (ids.length === 1) {
    // The hub's per-token check (interop §2.5): one primary-key lookup, never rate-limited.
    const r = deps.ledger.get(ids[0]!)
    const visible =
      r !== undefined && r.owner === who.owner && (includeBlacklisted || !r.blacklisted)
    return writeList(res, req, visible ? [r] : [], undefined)
  }
  const wait = await lists.take(req.headers.authorization ?? '')
  if (wait > 0) {
    res.setHeader('retry-after', String(wait))
    return sendStatus(
      res,
      429,
      8,
      `too many token lists for this bearer token: retry after ${wait} s, or ask for the ids you need with idFilter`,
    )
  }
  // One row more than the page: tells whether another page follows without counting them all.
  const rows = deps.ledger.findForOwner(who.owner, ids, includeBlacklisted, {
    limit: page.pageSize + 1,
    before: page.pageToken,
  })
  const more = rows.length > page.pageSize
  if (more) rows.length = page.pageSize
  return writeList(res, req, rows, more ? rows.at(-1)!.id : undefined)
}

/** plgd's stream of `{"result": Token}` lines, in chunks; the next page's start in a header. */
async function writeList(
  res: ServerResponse,
  req: IncomingMessage,
  records: TokenRecord[],
  nextPageToken: string | undefined,
): Promise<void> {
  const protojson = (req.headers.accept ?? '').includes('application/protojson')
  const headers: Record<string, string> = {
    'content-type': protojson ? 'application/jsonpb' : 'application/json',
    'cache-control': 'no-store',
  }
  if (nextPageToken !== undefined) headers[NEXT_PAGE_HEADER] = nextPageToken
  res.writeHead(200, headers)
  await writeLines(
    res,
    records,
    (r) => `${JSON.stringify({ result: tokenMessage(r, protojson) })}\n`,
  )
}

async function deleteTokens(
  deps: TokensApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const who = await caller(deps, req, res)
  if (!who) return
  if (who.revoked) {
    sendStatus(res, 401, 16, `cannot access to ${req.url}: invalid token: token is blacklisted`)
    return
  }
  const q = query(req)
  const ids = [...q.getAll('idFilter'), ...q.getAll('id_filter')]
  const counts = deps.ledger.blacklistForOwner(who.owner, ids, deps.nowSeconds())
  deps.onBlacklisted(who.owner, ids, counts)
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
  res.end(
    JSON.stringify({
      blacklistedCount: String(counts.blacklistedCount),
      deletedCount: String(counts.deletedCount),
    }),
  )
}

async function createToken(
  deps: TokensApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    const body = await readBody(req, deps.maxBodyBytes)
    const issued = await deps.tokens.issueForTwin(
      parseTwinRequest(body),
      req.socket.remoteAddress ?? 'unknown',
    )
    const protojson = (req.headers.accept ?? '').includes('application/protojson')
    const message: Record<string, unknown> = {
      accessToken: issued.accessToken,
      tokenType: issued.tokenType,
      expiresIn: String(issued.expiresIn),
    }
    const scope = issued.scope === '' ? [] : issued.scope.split(' ')
    if (protojson || scope.length > 0) message.scope = scope
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    res.end(JSON.stringify(message))
  } catch (err) {
    if (err instanceof BodyTooLargeError)
      return sendOAuthError(res, new OAuthError('invalid_request', err.message), 413)
    if (err instanceof OAuthError) return sendOAuthError(res, err)
    throw err
  }
}

/** protojson CreateTokenRequest: camelCase or proto names, arrays, int64 as number or string. */
export function parseTwinRequest(body: Buffer): TokenRequest {
  let value: unknown
  try {
    value = JSON.parse(body.toString('utf8'))
  } catch {
    throw new OAuthError('invalid_request', 'the body is not valid JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OAuthError('invalid_request', 'the body must be a JSON object')
  }
  const v = value as Record<string, unknown>
  const pick = (camel: string, snake: string): unknown =>
    v[camel] !== undefined ? v[camel] : v[snake]
  const text = (camel: string, snake: string): string | undefined => {
    const x = pick(camel, snake)
    if (x === undefined || x === null || x === '') return undefined
    if (typeof x !== 'string') throw new OAuthError('invalid_request', `${camel} must be a string`)
    return x
  }
  const list = (name: string): string[] => {
    const x = v[name]
    if (x === undefined || x === null) return []
    if (!Array.isArray(x) || !x.every((i) => typeof i === 'string')) {
      throw new OAuthError('invalid_request', `${name} must be an array of strings`)
    }
    return [...new Set(x.filter((i) => i !== ''))]
  }
  const rawExpiration = pick('expiration', 'expiration')
  let expiration: number | undefined
  if (
    rawExpiration !== undefined &&
    rawExpiration !== null &&
    rawExpiration !== '0' &&
    rawExpiration !== 0
  ) {
    expiration = Number(rawExpiration)
    if (!Number.isSafeInteger(expiration) || expiration < 0) {
      throw new OAuthError('invalid_request', 'expiration must be unix seconds')
    }
  }
  const clientSecret = text('clientSecret', 'client_secret')
  return {
    grantType: text('grantType', 'grant_type'),
    clientId: text('clientId', 'client_id'),
    clientSecret,
    authMethod: clientSecret === undefined ? 'none' : 'client_secret_post',
    audiences: list('audience'),
    scopes: list('scope'),
    expiration,
    tokenName: text('tokenName', 'token_name'),
    clientAssertionType: text('clientAssertionType', 'client_assertion_type'),
    clientAssertion: text('clientAssertion', 'client_assertion'),
    params: new Map(),
  }
}

/**
 * plgd's Token message. protojson emits every field (int64 as strings, unset messages null);
 * the default marshaller drops empty values but keeps "0" strings and false (interop §0).
 */
export function tokenMessage(r: TokenRecord, protojson: boolean): Record<string, unknown> {
  const full: Record<string, unknown> = {
    id: r.id,
    version: '0',
    name: r.name,
    owner: r.owner,
    issuedAt: String(r.issuedAt),
    audience: r.audience,
    scope: r.scope,
    expiration: String(r.expiration),
    clientId: r.clientId,
    originalTokenClaims: r.originalTokenClaims,
    blacklisted: r.blacklisted
      ? { flag: r.blacklisted.flag, timestamp: String(r.blacklisted.timestamp) }
      : null,
    subject: r.subject,
  }
  if (protojson) return full
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(full)) {
    if (v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue
    out[k] = v
  }
  return out
}
