/**
 * Every closed set of values the contract, main and the renderer share, defined once. Types are
 * derived from the lists so a new value is added in one place.
 */

export const SIGNING_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256'] as const
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number]
/** Algorithms an imported plgd key may carry (plgd picks RS384/RS512 by modulus size). */
export const IMPORTABLE_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512'] as const
export type KeyAlgorithm = (typeof IMPORTABLE_ALGORITHMS)[number]

/** How a client authenticates at the token endpoint. */
export const AUTH_METHODS = ['client_secret', 'private_key_jwt', 'user_assertion'] as const
export type AuthMethod = (typeof AUTH_METHODS)[number]

/** The JWT header `typ` of a client's tokens: plgd's `JWT` or RFC 9068's `at+jwt`. */
export const TOKEN_TYPES = ['JWT', 'at+jwt'] as const
export type TokenType = (typeof TOKEN_TYPES)[number]

/** A ledger record's state; a revoked token that later expired counts as revoked. */
export const TOKEN_STATES = ['active', 'expired', 'revoked'] as const
export type TokenState = (typeof TOKEN_STATES)[number]
/** The ledger's filter: one state, or all of them. */
export const TOKEN_STATUS_FILTERS = ['all', ...TOKEN_STATES] as const
export type TokenStatusFilter = (typeof TOKEN_STATUS_FILTERS)[number]

/** A signing key's place in its life: published before it signs, retired after it stops. */
export const KEY_STATES = ['next', 'active', 'retiring'] as const
export type KeyState = (typeof KEY_STATES)[number]
export const KEY_ORIGINS = ['generated', 'imported'] as const
export type KeyOrigin = (typeof KEY_ORIGINS)[number]

/** Where a data directory keeps its wrapping key. */
export const VAULT_MODES = ['keychain', 'passphrase'] as const
export type VaultMode = (typeof VAULT_MODES)[number]
