import type { HubView } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import type { PlgdClient } from '../plgd/plgd-client.js'
import { PlgdError } from '../plgd/plgd-error.js'
import { authorizationEndpointSnippet, type IssuerTrust } from '../plgd/hub-trust-snippet.js'

/** How the CA's client is made: the hub's CA for TLS, a bearer of ours for the owner. */
export type CaClientFactory = (options: {
  baseUrl: string
  caPem: string | undefined
  bearer: () => Promise<string>
  hubName: string
  owner: string
}) => PlgdClient

export interface CsrSignerOptions {
  /** The hub profile whose certificate-authority signs. */
  hub: HubView
  /** The CA address client-application publishes (`remoteProvisioning.certificateAuthority`). */
  publishedCa: string | null
  /** A bearer of this issuer carrying `owner`. */
  bearer: () => Promise<string>
  owner: string
  issuer: IssuerTrust
  makeClient: CaClientFactory
}

/** Signs an identity CSR (base64 of its PEM, as client-application gives it); base64 PEM back. */
export type CsrSigner = (csrBase64: string, signal?: AbortSignal) => Promise<string>

/**
 * The hub's certificate-authority signs client-application's identity CSR (its own, or a
 * device's in X509 ownership) with a bearer of this issuer, as plgd's UI does with the user's
 * token: `POST <certificateAuthority>/api/v1/sign/identity-csr`, bytes as base64 both ways. A
 * refusal of our token says what the hub must trust.
 */
export function csrSigner(options: CsrSignerOptions): CsrSigner {
  const { hub } = options
  const baseUrl = (options.publishedCa || hub.certificateAuthority || '').replace(/\/+$/, '')
  if (!/^https?:\/\//.test(baseUrl)) {
    throw new AppError(
      'invalid_input',
      `neither client-application nor hub ${hub.name} publishes a certificate-authority address to sign client-application's certificate request: check \`hubs show ${hub.name}\` (certificateAuthority)`,
    )
  }
  const client = options.makeClient({
    baseUrl,
    caPem: hub.caPem ?? undefined,
    bearer: options.bearer,
    hubName: hub.name,
    owner: options.owner,
  })
  return async (csrBase64, signal) => {
    const csr = Buffer.from(csrBase64, 'base64').toString('utf8')
    if (!csr.includes('CERTIFICATE REQUEST-----')) {
      throw new AppError(
        'upstream',
        'client-application gave a certificate request that is not a PEM CSR: check its version against the plgd hub (`local status`)',
      )
    }
    let answer: { certificate?: string } | undefined
    try {
      answer = await client.json<{ certificate?: string }>('POST', '/api/v1/sign/identity-csr', {
        body: { certificateSigningRequest: Buffer.from(csr, 'utf8').toString('base64') },
        signal,
      })
    } catch (err) {
      throw refusal(err, baseUrl, options)
    }
    const pem = Buffer.from(answer?.certificate ?? '', 'base64').toString('utf8')
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new AppError(
        'upstream',
        `the certificate-authority at ${baseUrl} answered without a PEM certificate: check that address is hub ${hub.name}'s certificate-authority`,
      )
    }
    return Buffer.from(pem, 'utf8').toString('base64')
  }
}

/** A 401 is trust (its `authorization` must list this issuer), a 403 the owner. */
function refusal(err: unknown, baseUrl: string, options: CsrSignerOptions): unknown {
  if (!(err instanceof PlgdError)) return err
  const words = err.plgdMessage ? `: ${err.plgdMessage}` : ''
  if (err.status === 401) {
    return new AppError(
      'policy_violation',
      `the certificate-authority of hub ${options.hub.name} (${baseUrl}) refused this issuer's token (HTTP 401${words}). Fix: its \`authorization\` must list this issuer; the hub admin adds this to the certificate-authority's configuration (in the chart, global.authorization.endpoints), then run again:\n${authorizationEndpointSnippet(options.issuer)}`,
      { cause: err },
    )
  }
  if (err.status === 403) {
    return new AppError(
      'policy_violation',
      `the certificate-authority of hub ${options.hub.name} (${baseUrl}) refused to sign for owner "${options.owner}" (HTTP 403${words}). Fix: the owner must be one the hub accepts (its ownerClaim is ${options.hub.ownerClaim}); initialise with that owner (\`local init --owner OWNER --force\`)`,
      { cause: err },
    )
  }
  return err
}
