/** Path prefix of every plgd m2m-oauth-server route; hubs append it to the authority. */
export const BASE_PATH = '/m2m-oauth-server'
export const TOKEN_PATH = `${BASE_PATH}/oauth/token`
export const DISCOVERY_PATH = `${BASE_PATH}/.well-known/openid-configuration`
export const JWKS_PATH = `${BASE_PATH}/.well-known/jwks.json`

export const DEFAULT_OWNER_CLAIM = 'https://plgd.dev/owner'
export const DEFAULT_DEVICE_ID_CLAIM = 'https://plgd.dev/deviceId'

export const GRANT_CLIENT_CREDENTIALS = 'client_credentials'

/** A client may mint for at most this long unless it says otherwise. */
export const DEFAULT_CLIENT_LIFETIME_SECONDS = 3600
/** Global cap on any token's lifetime: 7 days by default, never more than 365 days. */
export const DEFAULT_MAX_LIFETIME_SECONDS = 7 * 24 * 3600
export const MAX_LIFETIME_CAP_SECONDS = 365 * 24 * 3600

export const DEFAULT_LISTEN_HOST = '127.0.0.1'
export const DEFAULT_ISSUER_PORT = 8443
