import { stringify } from 'yaml'
import { dataUri } from './plgd-json.js'

/** The issuer a hub must trust: our authority URL and the CA of its TLS certificate. */
export interface IssuerTrust {
  /** https://<host>:<port>/m2m-oauth-server */
  authority: string
  /** The console CA (ca.pem in the data directory); null when TLS is not set up yet. */
  caPem: string | null
}

/**
 * The `authorization.endpoints` entry (interop §2.1) a hub admin adds to every service that
 * validates our tokens (http-gateway, grpc-gateway, DPS, snippet-service, certificate-authority,
 * coap-gateway; in the chart `global.authorization.endpoints`). The CA travels inline as a
 * `data:` URI, which plgd's caPool accepts as well as a file path.
 */
export function authorizationEndpointSnippet(issuer: IssuerTrust): string {
  const doc = { authorization: { endpoints: [authorizationEndpoint(issuer)] } }
  const note = issuer.caPem
    ? '# caPool may also be the path of a file holding the console CA (ca.pem in its data directory)\n'
    : '# the console has no CA yet: start the issuer once (`serve`), then run the check again\n'
  return note + stringify(doc, { lineWidth: 0 })
}

/** One `authorization.endpoints[]` entry trusting our issuer (service YAML names, §2.1). */
export function authorizationEndpoint(issuer: IssuerTrust): {
  authority: string
  http: { timeout: string; tls: { caPool?: string[]; useSystemCAPool: boolean } }
} {
  const tls = issuer.caPem
    ? { caPool: [dataUri(issuer.caPem)], useSystemCAPool: false }
    : { useSystemCAPool: true }
  return { authority: issuer.authority, http: { timeout: '10s', tls } }
}
