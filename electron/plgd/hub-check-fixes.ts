import type { NetError } from '../net/net-error.js'

export interface FixContext {
  hub: string
  /** Whether the profile has a CA of its own for the hub's TLS (`--ca`). */
  hasCa: boolean
  timeoutMs: number
  /** The option that changes this service's address (`--dps-url`…); the hub URL otherwise. */
  urlOption?: string
  /** While `hubs add` runs: the profile does not exist yet, so the fixes name add's options. */
  adding?: boolean
}

/** What to change when a request failed at this layer. */
export function netFix(err: NetError, ctx: FixContext): string {
  const address = ctx.adding
    ? 'check --url: the http-gateway, e.g. https://api.hub.example'
    : ctx.urlOption
      ? `set the address with \`hubs update ${ctx.hub} ${ctx.urlOption} URL\``
      : `check the hub URL (\`hubs remove ${ctx.hub}\`, then \`hubs add\` with the right one)`
  switch (err.failure) {
    case 'url':
      return address
    case 'dns':
      return `the name does not resolve: ${address}, or the DNS settings of this computer`
    case 'tcp':
      return `nothing accepts connections there: check the port, that the service runs, and firewalls; ${address}`
    case 'timeout':
      return `no answer within ${ctx.timeoutMs / 1000} s: a firewall dropping packets, a wrong port, or an overloaded hub`
    case 'tls':
      return tlsFix(err, ctx)
    case 'http':
    case 'body':
      return `the server answered, but not as a plgd hub does: ${address}`
    case 'other':
      return address
  }
}

function tlsFix(err: NetError, ctx: FixContext): string {
  switch (err.tls) {
    case 'untrusted':
      if (ctx.adding)
        return ctx.hasCa
          ? "the CA given with --ca did not sign this certificate: pass the one that did (the hub's ca.crt)"
          : "pass the CA that signed the hub's certificate with --ca FILE (the hub's ca.crt, PEM)"
      return ctx.hasCa
        ? `the CA given with --ca did not sign this certificate: \`hubs update ${ctx.hub} --ca FILE\` with the CA that did (the hub's ca.crt)`
        : `trust the CA that signed the hub's certificate: \`hubs update ${ctx.hub} --ca FILE\` (the hub's ca.crt, PEM)`
    case 'hostname':
      return `the certificate does not name this host: use a URL with a name the certificate carries, or re-issue the certificate with this host in its subjectAltName`
    case 'expired':
    case 'not-yet-valid':
      return `renew the hub's certificate, or check this computer's clock`
    default:
      return `is it a TLS port? use http:// for a gateway without TLS, or check the port`
  }
}
