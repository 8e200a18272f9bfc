import type { Query } from './plgd-client.js'

/**
 * A service URL: the base (which may carry a path prefix, `https://api.hub/snippet-service`),
 * the path, and the query with repeated keys for lists, as grpc-gateway reads them.
 */
export function buildUrl(baseUrl: string, path: string, query?: Query): URL {
  const base = baseUrl.replace(/\/+$/, '')
  const url = new URL(`${base}${path.startsWith('/') ? path : `/${path}`}`)
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue
    for (const one of Array.isArray(value) ? value : [value]) url.searchParams.append(key, one)
  }
  return url
}

/** One path segment (an id): escaped, so `/`, `?` or `#` in it cannot change the route. */
export function segment(value: string): string {
  return encodeURIComponent(value)
}

/** A resource href as http-gateway routes it: its slashes kept, each segment escaped. */
export function hrefPath(href: string): string {
  return href
    .split('/')
    .filter((part) => part !== '')
    .map(segment)
    .join('/')
}
