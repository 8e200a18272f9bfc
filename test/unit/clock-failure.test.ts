// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { clockFailure } from '../../electron/api/methods/clock.js'
import { classifyNetError } from '../../electron/net/net-error.js'

/** Clock skew failures read as what to fix, not OpenSSL text (issue 17, item 11). */
const URL_ = 'https://hub.lab:8443/.well-known/openid-configuration'
const nodeError = (code: string, message: string) =>
  classifyNetError(Object.assign(new Error(message), { code }), new URL(URL_))

describe('clock skew failure messages', () => {
  it.each([
    [
      'SELF_SIGNED_CERT_IN_CHAIN',
      false,
      "the hub's certificate is not trusted: give its CA certificate (PEM)",
    ],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', true, 'not trusted by the CA file given'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', false, 'for another name than hub.lab:8443'],
    ['CERT_HAS_EXPIRED', false, 'has expired: its admin must renew it'],
    ['ENOTFOUND', false, 'the name hub.lab:8443 could not be resolved'],
    ['ECONNREFUSED', false, 'did not accept a connection: check the host and the port'],
  ])('%s (CA given: %s) says: %s', (code, gaveCa, words) => {
    const openssl = 'self-signed certificate in certificate chain (error:0A000086:SSL routines)'
    const message = clockFailure(nodeError(code, openssl), URL_, gaveCa)
    expect(message).toContain(`cannot measure the clock of ${URL_}`)
    expect(message).toContain(words)
    expect(message).not.toContain('SSL routines')
  })
})
