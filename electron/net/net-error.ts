/**
 * The layer an outgoing request failed at, so a connectivity check can say what to fix: the
 * name (DNS), the route or the port (TCP), the certificate (TLS), a server that went quiet
 * (timeout), the server's answer (HTTP status), an answer we refuse to read (body), or something
 * else Node reported (other).
 */
export type NetFailure = 'url' | 'dns' | 'tcp' | 'tls' | 'timeout' | 'http' | 'body' | 'other'

/** Why a TLS handshake failed: the fixes differ (add the CA, use the certificate's name, renew). */
export type TlsFailure = 'untrusted' | 'hostname' | 'expired' | 'not-yet-valid' | 'handshake'

export class NetError extends Error {
  override readonly name = 'NetError'
  /** Node's error code: ENOTFOUND, ECONNREFUSED, CERT_HAS_EXPIRED… */
  readonly code: string | undefined
  readonly tls: TlsFailure | undefined
  readonly status: number | undefined

  constructor(
    readonly failure: NetFailure,
    message: string,
    details: { code?: string; tls?: TlsFailure; status?: number; cause?: unknown } = {},
  ) {
    super(message, 'cause' in details ? { cause: details.cause } : undefined)
    this.code = details.code
    this.tls = details.tls
    this.status = details.status
  }
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME'])

const TCP_CODES: Record<string, string> = {
  ECONNREFUSED: 'refused the connection',
  ECONNRESET: 'closed the connection',
  ECONNABORTED: 'closed the connection',
  EPIPE: 'closed the connection',
  EHOSTUNREACH: 'is unreachable',
  ENETUNREACH: 'is unreachable',
  EHOSTDOWN: 'is unreachable',
  ETIMEDOUT: 'did not accept the connection in time',
}

const TLS_CODES: Record<string, TlsFailure> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'untrusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'untrusted',
  CERT_UNTRUSTED: 'untrusted',
  CERT_REJECTED: 'untrusted',
  CERT_SIGNATURE_FAILURE: 'untrusted',
  INVALID_CA: 'untrusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not-yet-valid',
}

const TLS_WORDS: Record<TlsFailure, string> = {
  untrusted: 'presented a certificate that is not trusted',
  hostname: 'presented a certificate for another name',
  expired: 'presented an expired certificate',
  'not-yet-valid': 'presented a certificate that is not valid yet',
  handshake: 'failed the TLS handshake',
}

/**
 * Turns what node:http(s) emits into a NetError of the right layer; the original message stays
 * at the end (it names the certificate problem or the address precisely).
 */
export function classifyNetError(err: unknown, target: URL): NetError {
  if (err instanceof NetError) return err
  const error = err instanceof Error ? err : new Error(String(err))
  const code = (error as { code?: unknown }).code
  const known = typeof code === 'string' ? code : undefined
  const where = target.host
  const say = (failure: NetFailure, words: string, tls?: TlsFailure): NetError =>
    new NetError(failure, `${where} ${words}: ${error.message}`, { code: known, tls, cause: err })
  if (known === undefined) return say('other', 'failed')
  if (DNS_CODES.has(known)) return say('dns', 'could not be resolved')
  const tcp = TCP_CODES[known]
  if (tcp !== undefined) return say('tcp', tcp)
  const tls =
    TLS_CODES[known] ??
    (known.startsWith('ERR_SSL_') || known.startsWith('ERR_TLS_') || known === 'EPROTO'
      ? 'handshake'
      : undefined)
  if (tls !== undefined) return say('tls', TLS_WORDS[tls], tls)
  return say('other', 'failed')
}
