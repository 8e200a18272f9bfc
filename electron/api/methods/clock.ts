import type { ClockSkew, clockMethods } from '../../../shared/contract/index.js'
import { AppError } from '../../../shared/errors.js'
import { measureClockSkew } from '../../net/clock-skew.js'
import { NetError } from '../../net/net-error.js'
import type { DomainTable, MethodContext } from './method-table.js'

export function implementClock({ app }: MethodContext): DomainTable<typeof clockMethods> {
  return {
    'clock.skew': async ({ url, caPem }) => {
      let skew: ClockSkew
      try {
        skew = await measureClockSkew(url, caPem)
      } catch (err) {
        throw new AppError('invalid_input', clockFailure(err, url, caPem !== undefined))
      }
      // Kept by the app, so the status warns whichever transport measured it.
      app.clockSkew.record(skew)
      return skew
    },
  }
}

/**
 * Why a clock measurement failed, by the layer it failed at, and what to do: a technician reads
 * "the hub's certificate is not trusted (give its CA)", not OpenSSL's text.
 */
export function clockFailure(err: unknown, url: string, gaveCa: boolean): string {
  const cannot = `cannot measure the clock of ${url}`
  if (!(err instanceof NetError)) return `${cannot}: ${(err as Error).message}`
  const host = (() => {
    try {
      return new URL(url).host
    } catch {
      return url
    }
  })()
  switch (err.failure) {
    case 'tls':
      switch (err.tls) {
        case 'untrusted':
          return gaveCa
            ? `${cannot}: the hub's certificate is not trusted by the CA file given: give the CA certificate (PEM) that issued it`
            : `${cannot}: the hub's certificate is not trusted: give its CA certificate (PEM) as the CA file (--ca FILE on the CLI)`
        case 'hostname':
          return `${cannot}: the hub's certificate is for another name than ${host}: use the name its certificate carries in the URL`
        case 'expired':
          return `${cannot}: the hub's certificate has expired: its admin must renew it`
        case 'not-yet-valid':
          return `${cannot}: the hub's certificate is not valid yet: check this machine's clock and the hub's`
        default:
          return `${cannot}: the TLS handshake with ${host} failed: check the URL is the hub's HTTPS address`
      }
    case 'dns':
      return `${cannot}: the name ${host} could not be resolved: check the URL's host name`
    case 'tcp':
      return `${cannot}: ${host} did not accept a connection: check the host and the port`
    case 'timeout':
      return `${cannot}: ${host} did not answer within 5 s: check the URL and the network`
    default:
      return `${cannot}: ${err.message}`
  }
}
