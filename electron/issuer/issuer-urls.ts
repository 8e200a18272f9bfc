import { BASE_PATH, JWKS_PATH, TOKEN_PATH } from '../../shared/constants.js'

/**
 * Every URL the issuer publishes, built here only: the routes, plgd's discovery document and
 * the RFC 8414 metadata must name the same endpoints.
 */

export const REVOCATION_PATH = `${BASE_PATH}/oauth/revoke`
export const INTROSPECTION_PATH = `${BASE_PATH}/oauth/introspect`
/** plgd's tokens API (interop §1.2): list and blacklist issued tokens. */
export const TOKENS_API_PATH = `${BASE_PATH}/api/v1/tokens`
/** RFC 8414 §3: the well-known segment is inserted before the issuer's path. */
export const AUTHORIZATION_SERVER_METADATA_PATH = `/.well-known/oauth-authorization-server${BASE_PATH}`

/** What hubs are told about the issuer (also shown in the console's status). */
export interface IssuerUrls {
  issuer: string
  tokenEndpoint: string
  jwksUri: string
}

/** The issuer's URLs at an origin (https://host:port). */
export function issuerUrls(origin: string): IssuerUrls {
  return {
    issuer: `${origin}${BASE_PATH}`,
    tokenEndpoint: `${origin}${TOKEN_PATH}`,
    jwksUri: `${origin}${JWKS_PATH}`,
  }
}

/**
 * plgd's discovery document (interop §1.5); hubs require the first three fields. The tokens
 * endpoint makes every hub call back for each new token, so only an always-on station
 * advertises it (decisions.md).
 */
export function discoveryDocument(origin: string, station: boolean): Record<string, unknown> {
  const urls = issuerUrls(origin)
  return {
    issuer: urls.issuer,
    token_endpoint: urls.tokenEndpoint,
    jwks_uri: urls.jwksUri,
    ...(station ? { plgd_tokens_endpoint: `${origin}${TOKENS_API_PATH}` } : {}),
  }
}

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt']
/** What a private_key_jwt client may sign its assertion with. */
const ASSERTION_ALGS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
]

/** RFC 8414 metadata for an origin; `signingAlgs` are those of the issuer's own keys. */
export function authorizationServerMetadata(
  origin: string,
  signingAlgs: string[],
): Record<string, unknown> {
  const urls = issuerUrls(origin)
  return {
    issuer: urls.issuer,
    token_endpoint: urls.tokenEndpoint,
    jwks_uri: urls.jwksUri,
    grant_types_supported: ['client_credentials'],
    response_types_supported: [],
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    revocation_endpoint: `${origin}${REVOCATION_PATH}`,
    revocation_endpoint_auth_methods_supported: AUTH_METHODS,
    revocation_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    introspection_endpoint: `${origin}${INTROSPECTION_PATH}`,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS,
    introspection_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    access_token_signing_alg_values_supported: signingAlgs,
  }
}
