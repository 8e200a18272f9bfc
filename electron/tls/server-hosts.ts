import { isIP } from 'node:net'
import { domainToASCII } from 'node:url'

/** The names a server certificate covers, spelled one way so that equal sets compare equal. */
export interface NormalizedHosts {
  ordered: string[] // caller's order, deduplicated: drives the CN choice
  sorted: string[] // canonical set: what is stored and compared
}

export function serverHostsFor(listenHost: string, publicHost: string | undefined): string[] {
  const hosts = ['localhost', '127.0.0.1', '::1']
  const listen = normalizeHost(listenHost)
  // A wildcard bind address is not something a client can dial, so it doesn't belong in the SAN.
  if (listen !== undefined && listen !== '0.0.0.0' && listen !== '::') hosts.push(listen)
  if (publicHost !== undefined) hosts.push(publicHost)
  return normalizeHosts(hosts).sorted
}

export function normalizeHosts(hosts: string[]): NormalizedHosts {
  const ordered: string[] = []
  for (const h of hosts) {
    const n = normalizeHost(h)
    if (n !== undefined && !ordered.includes(n)) ordered.push(n)
  }
  return { ordered, sorted: [...ordered].sort() }
}

// Canonical spelling makes the stored set stable (so equivalent inputs don't trigger a re-issue)
// and yields forms the SAN encoder accepts.
function normalizeHost(input: string): string | undefined {
  let host = input.trim()
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  if (host === '') return undefined
  const kind = isIP(host)
  if (kind === 4) return host
  if (kind === 6) {
    // WHATWG URL compresses IPv6 and rewrites embedded IPv4, which the SAN encoder can't parse;
    // it rejects zone ids, which have no meaning in a certificate.
    try {
      return new URL(`http://[${host}]/`).hostname.slice(1, -1)
    } catch {
      throw new Error(`Invalid IPv6 address for TLS certificate: ${input}`)
    }
  }
  // dNSName is IA5String: internationalised names must go in as punycode (also lowercases).
  const ascii = domainToASCII(host)
  if (ascii === '') throw new Error(`Invalid host name for TLS certificate: ${input}`)
  return ascii
}
