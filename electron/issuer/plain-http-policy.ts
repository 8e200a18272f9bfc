import type { IncomingHttpHeaders } from 'node:http'
import { refuseForeignRequest, type Refusal, type RequestSite } from '../net/request-site.js'
import { isLoopback } from './issuer-server.js'

/**
 * A plain-HTTP issuer (`--insecure-http`, loopback only) has no certificate to stop a web page:
 * a DNS-rebound name or a cross-site form POST would reach it, and wrong secrets sent that way
 * would use up 127.0.0.1's failure budget and block every local client. So it answers only the
 * names it is known by, with the console bridge's policy (net/request-site.ts): Host must be one
 * of them, an Origin must be one of them, and Sec-Fetch-Site must not be cross-site. Hubs send
 * their own Host (the advertised authority) and no Origin, so they are not affected.
 */
export function plainHttpSites(
  listenHost: string,
  publicHost: string | undefined,
  port: number,
): RequestSite[] {
  const names = new Set([listenHost, ...(publicHost ? [publicHost] : [])])
  // `localhost` always resolves to this machine: no page can rebind it.
  if (isLoopback(listenHost)) names.add('localhost')
  const sites: RequestSite[] = []
  for (const name of names) {
    const host = name.includes(':') ? `[${name}]` : name
    const authorities = port === 80 ? [`${host}:80`, host] : [`${host}:${port}`]
    for (const authority of authorities) {
      sites.push({ host: authority.toLowerCase(), origin: `http://${authority.toLowerCase()}` })
    }
  }
  return sites
}

/** The refusal for a request not addressed to one of `sites`, else null. */
export function refuseForeignIssuerRequest(
  headers: IncomingHttpHeaders,
  rawHeaders: readonly string[],
  sites: readonly RequestSite[],
): Refusal | null {
  if (sites.length === 0) return { status: 503, reason: 'the issuer is starting' }
  // Host names are case-insensitive: the site that Host names, else any (which then refuses).
  const named = sites.find((s) => s.host === headers.host?.toLowerCase())
  const site = named ? { ...named, host: headers.host! } : sites[0]!
  return refuseForeignRequest(headers, site, rawHeaders)
}

/** What the refused caller reads: the cause and which names the issuer answers. */
export function refusalMessage(refusal: Refusal, sites: readonly RequestSite[]): string {
  const names = sites.map((s) => s.host).join(', ')
  return (
    `${refusal.reason}: the plain-HTTP issuer answers only requests addressed to ${names} ` +
    'with no foreign Origin and no cross-site Sec-Fetch-Site (a web page cannot drive it); ' +
    'use one of those names, or --public-host to add the one your clients use'
  )
}
