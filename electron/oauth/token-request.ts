import { OAuthError } from './oauth-error.js'

/** A token request as sent, before any policy: form and JSON bodies end up the same shape. */
export interface TokenRequest {
  grantType: string | undefined
  clientId: string | undefined
  clientSecret: string | undefined
  /** How the client presented its secret: RFC 6749 §2.3.1 Basic, or in the body. */
  authMethod: 'client_secret_basic' | 'client_secret_post' | 'none'
  audiences: string[]
  scopes: string[]
  /** Requested absolute expiry, unix seconds (plgd's `expiration`). */
  expiration: number | undefined
  tokenName: string | undefined
  clientAssertionType: string | undefined
  clientAssertion: string | undefined
  /** Every parameter by name, for the ones named after claims (DPS sends the owner claim). */
  params: ReadonlyMap<string, string>
}

const FORM = 'application/x-www-form-urlencoded'

/** plgd picks the body format from Content-Type: form if it mentions the form type, else JSON. */
export function parseTokenRequest(
  contentType: string | undefined,
  body: Buffer,
  authorization: string | undefined,
): TokenRequest {
  const params = (contentType ?? '').toLowerCase().includes(FORM)
    ? parseForm(body)
    : parseJson(body)
  const basic = parseBasic(authorization)
  // RFC 6749 §3.1: a parameter sent without a value is treated as omitted.
  const bodySecret = params.get('client_secret') || undefined
  const bodyId = params.get('client_id') || undefined
  if (basic && bodySecret !== undefined) {
    throw new OAuthError(
      'invalid_request',
      'use one client authentication method, not Basic and client_secret together',
    )
  }
  if (basic && bodyId !== undefined && bodyId !== basic.id) {
    throw new OAuthError(
      'invalid_request',
      'client_id in the body differs from the Basic credentials',
    )
  }
  const expiration = params.get('expiration')
  return {
    grantType: params.get('grant_type') || undefined,
    clientId: basic?.id ?? bodyId,
    clientSecret: basic?.secret ?? bodySecret,
    authMethod: basic
      ? 'client_secret_basic'
      : bodySecret !== undefined
        ? 'client_secret_post'
        : 'none',
    audiences: splitList(params.get('audience')),
    scopes: splitList(params.get('scope')),
    expiration:
      // plgd: 0 (or nothing) means "not requested".
      expiration === undefined || expiration === ''
        ? undefined
        : parseExpiration(expiration) || undefined,
    tokenName: params.get('token_name') || undefined,
    clientAssertionType: params.get('client_assertion_type') || undefined,
    clientAssertion: params.get('client_assertion') || undefined,
    params,
  }
}

function parseForm(body: Buffer): Map<string, string> {
  const params = new Map<string, string>()
  for (const [key, value] of new URLSearchParams(body.toString('utf8'))) {
    // RFC 6749 §3.2: request parameters must not be included more than once.
    if (params.has(key)) throw new OAuthError('invalid_request', `parameter ${key} is repeated`)
    params.set(key, value)
  }
  return params
}

function parseJson(body: Buffer): Map<string, string> {
  let value: unknown
  try {
    value = JSON.parse(body.toString('utf8'))
  } catch {
    throw new OAuthError(
      'invalid_request',
      'the body is neither a form (application/x-www-form-urlencoded) nor valid JSON',
    )
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OAuthError('invalid_request', 'a JSON body must be an object')
  }
  const params = new Map<string, string>()
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string') params.set(key, v)
    else if (key === 'expiration' && typeof v === 'number') params.set(key, String(v))
    else if (
      (key === 'audience' || key === 'scope') &&
      Array.isArray(v) &&
      v.every((x) => typeof x === 'string')
    ) {
      params.set(key, v.join(' '))
    } else if (v !== null) {
      throw new OAuthError('invalid_request', `parameter ${key} must be a string`)
    }
  }
  return params
}

/** RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined with ':'. */
function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header || !/^basic /i.test(header)) return undefined
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  const malformed = (): OAuthError => {
    const err = new OAuthError('invalid_client', 'malformed Basic credentials')
    err.basicChallenge = true
    return err
  }
  if (colon < 0) throw malformed()
  try {
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) }
  } catch {
    throw malformed()
  }
}

function formDecode(value: string): string {
  // Generated ids and secrets (base64url) need no decoding: the hot path skips the decoder.
  if (!value.includes('%') && !value.includes('+')) return value
  return decodeURIComponent(value.replace(/\+/g, ' '))
}

function splitList(value: string | undefined): string[] {
  if (!value) return []
  return [...new Set(value.split(' ').filter((v) => v !== ''))]
}

function parseExpiration(value: string): number {
  if (!/^\d{1,12}$/.test(value)) {
    throw new OAuthError('invalid_request', 'expiration must be an absolute time in unix seconds')
  }
  return Number(value)
}
