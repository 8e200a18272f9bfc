import type { IncomingHttpHeaders } from 'node:http'

/**
 * Whom a loopback HTTP listener answers. Any local process and any web page the user has open
 * can reach a loopback port (DNS rebinding, CSRF), so a request must name the listener's own
 * authority as its Host (a rebound name never does), carry no Origin but the listener's own and
 * no cross-site Sec-Fetch-Site. The console bridge (api/console-bridge-policy.ts) and the
 * plain-HTTP issuer (issuer/plain-http-policy.ts) both apply it.
 */

/** Sec-Fetch-Site values a request from the site itself, or the user typing the URL, sends. */
const ACCEPTED_FETCH_SITES = new Set(['same-origin', 'none'])

export type Refusal = { status: number; reason: string; headers?: Record<string, string> }

/** A listener's authority and origin: `127.0.0.1:PORT` and `http://127.0.0.1:PORT`. */
export interface RequestSite {
  host: string
  origin: string
}

/** Headers a request must not repeat: Node keeps the first Host and drops the others. */
const SINGLE_HEADERS = new Set(['host', 'origin', 'sec-fetch-site'])

/**
 * The first of SINGLE_HEADERS that `rawHeaders` (name, value, name, value…) carries twice. A
 * proxy or cache in front may honour the other copy than Node does: refuse rather than guess.
 */
function repeatedHeader(rawHeaders: readonly string[]): string | undefined {
  const seen = new Set<string>()
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase()
    if (!SINGLE_HEADERS.has(name)) continue
    if (seen.has(name)) return name
    seen.add(name)
  }
  return undefined
}

/**
 * Host, Origin and Sec-Fetch-Site: checked for every request, static files included. Give
 * `rawHeaders` (the request's) so a repeated Host is refused too.
 */
export function refuseForeignRequest(
  headers: IncomingHttpHeaders,
  site: RequestSite,
  rawHeaders: readonly string[] = [],
): Refusal | null {
  const repeated = repeatedHeader(rawHeaders)
  if (repeated !== undefined) return { status: 400, reason: `duplicate ${repeated} header` }
  if (headers.host !== site.host) return { status: 403, reason: 'forbidden host' }
  const requestOrigin = headers.origin
  if (requestOrigin !== undefined && requestOrigin !== site.origin) {
    return { status: 403, reason: 'forbidden origin' }
  }
  const fetchSite = headers['sec-fetch-site']
  if (fetchSite !== undefined && !ACCEPTED_FETCH_SITES.has(fetchSite)) {
    return { status: 403, reason: 'cross-site request' }
  }
  return null
}
