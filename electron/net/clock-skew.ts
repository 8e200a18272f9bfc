import type { ClockSkew } from '../../shared/contract/index.js'
import { httpsGet } from './http-client.js'

/**
 * Another machine's clock against ours, from the `Date` header of any HTTPS URL (a hub's
 * discovery, say). plgd allows `iat` no leeway, so a hub behind us rejects fresh tokens.
 * Date has one-second resolution: the result is good to about ±1 s plus half the round trip.
 */
export async function measureClockSkew(
  url: string,
  caPem?: string,
  nowMs: () => number = Date.now,
): Promise<ClockSkew> {
  const sent = nowMs()
  const res = await httpsGet(url, { method: 'HEAD', timeoutMs: 5000, caPem })
  const received = nowMs()
  const date = res.headers.date
  const theirs = typeof date === 'string' ? Date.parse(date) : NaN
  if (Number.isNaN(theirs)) throw new Error(`${url} sent no Date header`)
  const midpoint = (sent + received) / 2
  // Date is truncated to the second: compare against the middle of that second.
  return {
    url,
    skewSeconds: Math.round((theirs + 500 - midpoint) / 100) / 10,
    roundTripMs: received - sent,
  }
}
