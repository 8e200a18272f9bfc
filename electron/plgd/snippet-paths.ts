import type { PlgdClient } from './plgd-client.js'

/**
 * The snippet-service's API lives under `/snippet-service/api/v1` (interop §4.2). The hub
 * publishes `ui.snippetService` as the API origin without that prefix; an override may name
 * it with the prefix. Either works: the prefix is added once, only when the base lacks it.
 */
export function snippetPath(client: PlgdClient, rest: string): string {
  return snippetApiPath(client.baseUrl, rest)
}

/** As snippetPath, for a base URL without a client (the hub check). */
export function snippetApiPath(baseUrl: string, rest: string): string {
  const base = baseUrl.replace(/\/+$/, '')
  const prefix = /\/snippet-service$/.test(base) ? '/api/v1' : '/snippet-service/api/v1'
  return prefix + rest
}

/** An href as a path under `/resources`: each segment escaped, the slashes kept. */
export function hrefPath(href: string): string {
  return href
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/')
}
