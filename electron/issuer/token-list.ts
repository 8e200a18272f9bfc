import { createHash } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { RateLimiterMemory } from 'rate-limiter-flexible'

/**
 * Bounds on plgd's GET /api/v1/tokens (docs/issuer-limits.md): a response holds at most
 * MAX_LIST_ROWS records, newest first; when more are left, the X-Next-Page-Token header names
 * where the next page starts (`?pageToken=…`, optionally `pageSize=…`). Both parameters are
 * extensions: plgd clients never send them and ignore the header, and a hub's per-token check
 * (one idFilter) never comes near the cap.
 */
export const MAX_LIST_ROWS = 1000
/** Rows serialised per event-loop turn: a long list never holds up a token request for long. */
export const LIST_CHUNK_ROWS = 100
export const NEXT_PAGE_HEADER = 'x-next-page-token'

/** Full lists (not a one-id lookup) one bearer may ask for per window. */
export interface ListRate {
  lists: number
  perSeconds: number
}
export const DEFAULT_LIST_RATE: ListRate = { lists: 30, perSeconds: 60 }

export interface ListPage {
  pageSize: number
  /** The last id of the previous page: this page starts below it. */
  pageToken: string | undefined
}

/** The page a query asks for, or the reason it is malformed (answered 400). */
export function listPage(q: URLSearchParams): ListPage | { error: string } {
  const rawSize = q.get('pageSize') ?? q.get('page_size')
  let pageSize = MAX_LIST_ROWS
  if (rawSize !== null && rawSize !== '') {
    const n = Number(rawSize)
    if (!Number.isSafeInteger(n) || n < 1) {
      return { error: `pageSize must be an integer from 1 to ${MAX_LIST_ROWS}, got ${rawSize}` }
    }
    pageSize = Math.min(n, MAX_LIST_ROWS)
  }
  const token = q.get('pageToken') ?? q.get('page_token') ?? ''
  if (token.length > 128) return { error: 'pageToken is longer than a token id' }
  return { pageSize, pageToken: token === '' ? undefined : token }
}

/**
 * Writes `lines` in chunks of LIST_CHUNK_ROWS, yielding the event loop after each and waiting
 * for the socket to drain, so that other requests are served while a long list goes out and a
 * slow reader cannot make the list pile up in memory. Stops if the client goes away.
 */
export async function writeLines<T>(
  res: ServerResponse,
  rows: readonly T[],
  line: (row: T) => string,
  chunkRows = LIST_CHUNK_ROWS,
): Promise<void> {
  for (let i = 0; i < rows.length; i += chunkRows) {
    if (res.destroyed) return
    let text = ''
    for (const row of rows.slice(i, i + chunkRows)) text += line(row)
    if (!res.write(text)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done)
          res.off('close', done)
          resolve()
        }
        res.once('drain', done)
        res.once('close', done)
      })
    }
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  if (!res.destroyed) res.end()
}

/** Full lists per bearer: a token holder cannot keep the issuer busy listing. */
export class ListRateLimit {
  readonly #limiter: RateLimiterMemory

  constructor(rate: ListRate = DEFAULT_LIST_RATE) {
    this.#limiter = new RateLimiterMemory({
      points: rate.lists,
      duration: rate.perSeconds,
      keyPrefix: 'list',
    })
  }

  /** Counts one list for the bearer; the seconds to wait when it is over its rate, else 0. */
  async take(authorization: string): Promise<number> {
    // The token itself (any spelling of the scheme), by digest: no bearer token kept in memory.
    const token = /^bearer\s+(\S+)/i.exec(authorization)?.[1] ?? authorization
    const key = createHash('sha256').update(token).digest('base64url')
    try {
      await this.#limiter.consume(key)
      return 0
    } catch (res) {
      const ms = (res as { msBeforeNext?: number }).msBeforeNext ?? 1000
      return Math.max(1, Math.ceil(ms / 1000))
    }
  }
}
