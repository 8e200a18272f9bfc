import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

/**
 * Who the headless console bridge answers. Any local process and any web page the user has open
 * can reach a loopback port (DNS rebinding, CSRF), so every request must name exactly
 * 127.0.0.1:PORT as its Host (a rebound name never does), carry no Origin but the console's own
 * and no cross-site Sec-Fetch-Site; the API also needs the per-run session token as a bearer
 * token, which a cross-origin page cannot set without a CORS preflight the bridge never grants.
 */

/** Sec-Fetch-Site values a request from the console itself, or the user typing the URL, sends. */
const ACCEPTED_FETCH_SITES = new Set(['same-origin', 'none'])

export type Refusal = { status: number; reason: string; headers?: Record<string, string> }

/** Where the bridge listens: `127.0.0.1:PORT` and `http://127.0.0.1:PORT`. */
export interface BridgeSite {
  host: string
  origin: string
}

export function bridgeSite(port: number): BridgeSite {
  const host = `127.0.0.1:${port}`
  return { host, origin: `http://${host}` }
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
  site: BridgeSite,
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

/** Whether an Authorization header carries exactly `Bearer <token>`, compared in constant time. */
export function sessionTokenCheck(token: string): (authorization: string | undefined) => boolean {
  const expected = sha256(`Bearer ${token}`)
  return (authorization) =>
    // Both sides hashed: equal-length buffers for timingSafeEqual, and no length leak.
    authorization !== undefined && timingSafeEqual(sha256(authorization), expected)
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}
