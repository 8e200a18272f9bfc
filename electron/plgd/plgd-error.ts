import { AppError, type ErrorCode } from '../../shared/errors.js'
import { NetError } from '../net/net-error.js'

/** The hub service a call went to, as messages name it (client-application: the local one). */
export type PlgdService =
  'DPS' | 'snippet-service' | 'http-gateway' | 'client-application' | 'certificate-authority'

/** What a message about a failed call may say of its context. */
export interface PlgdCallContext {
  service: PlgdService
  /** `GET /api/v1/hubs`: the method and the path, never the query or a header. */
  call: string
  /** The hub profile's name, for the commands a fix names (`hubs check NAME`). */
  hubName?: string | undefined
  /** The owner the bearer carries, when known: a 403 says it. */
  owner?: string | undefined
  /** The service's base URL, for a client-application that is not running there. */
  baseUrl?: string | undefined
}

/** A google.rpc.Status as plgd writes it (interop §0). */
export interface PlgdStatus {
  code: number
  message: string
  details?: unknown[]
}

const GRPC_NAMES: Record<number, string> = {
  1: 'Canceled',
  2: 'Unknown',
  3: 'InvalidArgument',
  4: 'DeadlineExceeded',
  5: 'NotFound',
  6: 'AlreadyExists',
  7: 'PermissionDenied',
  8: 'ResourceExhausted',
  9: 'FailedPrecondition',
  10: 'Aborted',
  11: 'OutOfRange',
  12: 'Unimplemented',
  13: 'Internal',
  14: 'Unavailable',
  15: 'DataLoss',
  16: 'Unauthenticated',
}

/** grpcconv.ToHTTPCode, for errors that arrive mid-stream with a gRPC code only. */
const HTTP_OF_GRPC: Record<number, number> = {
  1: 408,
  2: 500,
  3: 400,
  4: 504,
  5: 404,
  6: 409,
  7: 403,
  8: 429,
  9: 400,
  10: 409,
  11: 400,
  12: 501,
  13: 500,
  14: 503,
  15: 500,
  16: 401,
}

/**
 * A hub API call that failed: its message names the service, the call, the HTTP status and
 * plgd's own words, then the fix. `net` is set when no answer came (DNS, TCP, TLS, timeout).
 */
export class PlgdError extends AppError {
  override readonly name = 'PlgdError'
  /** The failure without the fix, for a check's `detail`. */
  readonly detail: string
  readonly fix: string | undefined
  /** The HTTP status the service answered (for a mid-stream error: the status of its code). */
  readonly status: number | undefined
  readonly grpcCode: number | undefined
  readonly plgdMessage: string | undefined
  readonly net: NetError | undefined

  constructor(
    readonly context: PlgdCallContext,
    details: {
      detail: string
      fix?: string | undefined
      status?: number | undefined
      grpcCode?: number | undefined
      plgdMessage?: string | undefined
      net?: NetError | undefined
      cause?: unknown
    },
  ) {
    super(
      appCodeFor(details.status, details.grpcCode),
      details.fix ? `${details.detail}. Fix: ${details.fix}` : details.detail,
      { cause: details.cause ?? details.net, expose: true },
    )
    this.detail = details.detail
    this.fix = details.fix
    this.status = details.status
    this.grpcCode = details.grpcCode
    this.plgdMessage = details.plgdMessage
    this.net = details.net
  }
}

/** Codes of shared/errors for the statuses that have one; the rest: the hub service failed. */
function appCodeFor(status: number | undefined, grpcCode: number | undefined): ErrorCode {
  if (status === 400) return 'invalid_input'
  if (status === 404) return 'not_found'
  if (status === 409) return grpcCode === 6 ? 'already_exists' : 'conflict'
  if (status === 401 || status === 403) return 'policy_violation'
  return 'upstream'
}

/** Reads a plgd error body; null when it is not one (an ingress's HTML page, say). */
export function parsePlgdStatus(body: string): PlgdStatus | null {
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    return null
  }
  return asStatus(value)
}

export function asStatus(value: unknown): PlgdStatus | null {
  if (value === null || typeof value !== 'object') return null
  const { code, message, details } = value as Record<string, unknown>
  // The default marshaller drops empty strings and zero values: a missing field is plausible.
  if (code !== undefined && typeof code !== 'number') return null
  if (message !== undefined && typeof message !== 'string') return null
  if (code === undefined && message === undefined) return null
  return {
    code: code ?? 2,
    message: message ?? '',
    ...(Array.isArray(details) ? { details } : {}),
  }
}

/** A non-2xx answer: plgd's status when the body is one, a short summary of it otherwise. */
export function errorFromResponse(
  context: PlgdCallContext,
  status: number,
  body: string,
  contentType = '',
): PlgdError {
  const plgd = parsePlgdStatus(body)
  const words = plgd
    ? `${plgd.message || GRPC_NAMES[plgd.code] || 'no message'}`
    : summariseBody(body, contentType)
  const detail = `${context.service} ${context.call} answered HTTP ${status}${words ? `: ${words}` : ''}`
  return new PlgdError(context, {
    detail,
    fix: fixFor(context, status, plgd),
    status,
    grpcCode: plgd?.code,
    plgdMessage: plgd?.message,
  })
}

/** `{"error": status}` inside a stream that had started with HTTP 200. */
export function errorFromStreamStatus(context: PlgdCallContext, value: unknown): PlgdError {
  const plgd = asStatus(value) ?? { code: 2, message: 'an error without a status' }
  const status = HTTP_OF_GRPC[plgd.code] ?? 500
  const name = GRPC_NAMES[plgd.code] ?? `code ${plgd.code}`
  return new PlgdError(context, {
    detail: `${context.service} ${context.call} failed in the middle of its list (${name}): ${plgd.message || 'no message'}`,
    fix: fixFor(context, status, plgd),
    status,
    grpcCode: plgd.code,
    plgdMessage: plgd.message,
  })
}

/** No answer: the layer that failed and what to change for it. */
export function errorFromNet(context: PlgdCallContext, net: NetError): PlgdError {
  if (context.service === 'client-application' && net.failure !== 'tls') {
    return new PlgdError(context, {
      detail: `client-application ${context.call} failed: ${net.message}`,
      fix: clientAppNotRunning(context.baseUrl),
      net,
    })
  }
  const hub = context.hubName ?? 'NAME'
  const fixes: Record<string, string> = {
    dns: `check the ${context.service} host name (hubs show ${hub}) or this machine's DNS; ${urlFix(context)}`,
    tcp: `check that the ${context.service} is running and reachable from here (address, port, firewall, proxy)`,
    timeout: `the ${context.service} did not answer in time: check it is running and not overloaded, or retry later`,
    url: urlFix(context),
  }
  const tlsFixes: Record<string, string> = {
    untrusted: `trust the CA that signed the ${context.service}'s certificate: set the hub's CA PEM file (hubs update ${hub} --ca FILE)`,
    hostname: `use the host name the ${context.service}'s certificate was issued for in the hub's URLs`,
    expired: `the ${context.service}'s certificate has expired: the hub admin must renew it (or this machine's clock is wrong)`,
    'not-yet-valid': `the ${context.service}'s certificate is not valid yet: check this machine's clock`,
    handshake: `check that the URL points at the ${context.service}'s HTTPS port`,
  }
  const fix = net.failure === 'tls' ? tlsFixes[net.tls ?? 'handshake'] : fixes[net.failure]
  return new PlgdError(context, {
    detail: `${context.service} ${context.call} failed: ${net.message}`,
    fix,
    net,
  })
}

function fixFor(
  context: PlgdCallContext,
  status: number,
  plgd: PlgdStatus | null,
): string | undefined {
  const { service } = context
  const hub = context.hubName ?? 'NAME'
  const said = plgd?.message.toLowerCase() ?? ''
  if (service === 'client-application') {
    const fix = clientAppFix(status, plgd)
    if (fix !== undefined) return fix
  }
  switch (status) {
    case 400:
      return `correct the value plgd names above (a certificate chain, a data: URI, an id, a duration); the ${service} validates every field`
    case 401:
      if (/expired|not valid yet|used before|issued in the future|\biat\b|\bnbf\b/.test(said)) {
        return `the token's times were refused: check this machine's clock against the hub's (hubs check ${hub} measures the skew; plgd allows none)`
      }
      if (said.includes('owner')) {
        return `the token carries no owner claim the ${service} reads: make the hub's ownerClaim and this issuer's owner claim name agree`
      }
      return `the ${service} does not trust this issuer: add it to authorization.endpoints (hubs check ${hub} shows the snippet)`
    case 403:
      return context.owner
        ? `the bearer carries owner "${context.owner}", which does not own this: use a client whose owner is the record's owner`
        : `the bearer's owner does not own this: use a client whose owner is the record's owner`
    case 404:
      return plgd
        ? `nothing has that id: list what exists and pick one`
        : `the ${service} URL seems wrong (nothing at this path): ${urlFix(context)}`
    case 409:
      return `it already exists or changed meanwhile: update the existing one or pick another name`
    case 429:
      return `the ${service} is throttling: lower the concurrency (--concurrency, or the setting)`
    case 501:
      return `this hub's ${service} does not have this call: upgrade the hub`
    case 502:
    case 503:
      return `the ${service} (or the proxy in front of it) is not available: check it is running; the call was retried`
    case 504:
      return `the ${service} did not answer in time: check it and its database are healthy, then retry`
    default:
      return status >= 500 ? `the ${service} failed internally: its log says why` : undefined
  }
}

/** Nothing answers where the console looks for client-application. */
export function clientAppNotRunning(url: string | undefined): string {
  const at = url ?? 'its URL'
  return `client-application is not running at ${at}: start it, or give --client-app URL / settings set --client-app URL`
}

/** client-application's own refusals: its token check (X509 mode) and the devices it knows. */
function clientAppFix(status: number, plgd: PlgdStatus | null): string | undefined {
  if (status === 401) {
    return "client-application does not accept this console's token (initialised with another issuer's keys or owner): `local status` tells; `local init --owner OWNER --client ID --force` re-initialises it"
  }
  if (status === 403) {
    return "the token's owner is not the owner client-application was initialised with: `local status` shows both; use the client it was initialised with, or `local init --force`"
  }
  if (status === 404 && plgd)
    return 'client-application does not know it: run `local discover` first'
  return undefined
}

/** How to point the profile at the right address of a service. */
export function urlFix(context: PlgdCallContext): string {
  if (context.service === 'client-application') return clientAppNotRunning(context.baseUrl)
  const hub = context.hubName ?? 'NAME'
  if (context.service === 'certificate-authority') {
    return `check the certificate-authority address the hub publishes (\`hubs show ${hub}\`, certificateAuthority) or the one client-application publishes (\`local status\`)`
  }
  if (context.service === 'http-gateway') {
    return `check the hub's URL (hubs show ${hub}); re-add the hub with the right one (hubs remove ${hub}, hubs add)`
  }
  const option = context.service === 'DPS' ? '--dps-url' : '--snippet-service-url'
  return `correct the ${context.service} address with hubs update ${hub} ${option} URL`
}

/** A non-JSON body in a few words: an HTML page's title, or the start of the text. */
export function summariseBody(body: string, contentType = ''): string {
  const text = body.trim()
  if (!text) return ''
  const html = /html/i.test(contentType) || /^<(!doctype|html)/i.test(text)
  if (html) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim()
    const heading = /<h1[^>]*>([^<]*)<\/h1>/i.exec(text)?.[1]?.trim()
    return `an HTML page${title || heading ? ` "${clip(title || heading || '')}"` : ''} (a proxy's page, or the wrong URL?)`
  }
  return `"${clip(text.replace(/\s+/g, ' '))}"`
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text
}
