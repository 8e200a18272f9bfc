import { createHash, timingSafeEqual } from 'node:crypto'
import { refuseForeignRequest, type Refusal, type RequestSite } from '../net/request-site.js'

/**
 * Who the headless console bridge answers: requests addressed to exactly 127.0.0.1:PORT, with no
 * foreign Origin or cross-site Sec-Fetch-Site (net/request-site.ts, shared with the plain-HTTP
 * issuer); the API also needs the per-run session token as a bearer token, which a
 * cross-origin page cannot set without a CORS preflight the bridge never grants.
 */

export { refuseForeignRequest, type Refusal }

/** Where the bridge listens: `127.0.0.1:PORT` and `http://127.0.0.1:PORT`. */
export type BridgeSite = RequestSite

export function bridgeSite(port: number): BridgeSite {
  const host = `127.0.0.1:${port}`
  return { host, origin: `http://${host}` }
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
