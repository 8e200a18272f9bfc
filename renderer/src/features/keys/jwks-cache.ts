import type { KeyView } from '../../../../shared/contract/index'
import { formatDuration } from '../../lib/format'

/**
 * How long a token validator may serve a cached JWKS. plgd hubs re-fetch on an unknown kid
 * (interop §2.4), but gateways and other validators in front of them commonly cache the set
 * for up to ten minutes (jose's remote JWKS default cacheMaxAge): a key published more
 * recently may be unknown to them, and the tokens it signs refused until they refetch.
 */
export const VALIDATOR_JWKS_CACHE_SECONDS = 10 * 60

/**
 * Why rotating now is risky, or null when the key about to sign has been published for longer
 * than a validator's JWKS cache.
 */
export function rotationRisk(next: KeyView | undefined, now: number): string | null {
  if (!next) {
    return (
      'There is no published next key: rotating generates one that signs at once, before any ' +
      `validator has it in its cached JWKS (cached up to ${formatDuration(VALIDATOR_JWKS_CACHE_SECONDS)}).`
    )
  }
  const publishedFor = now - next.createdAt
  if (publishedFor >= VALIDATOR_JWKS_CACHE_SECONDS) return null
  return (
    `The key about to sign (${next.kid}) was published ${formatDuration(publishedFor)} ago; ` +
    `validators that cache the JWKS (up to ${formatDuration(VALIDATOR_JWKS_CACHE_SECONDS)}) may ` +
    `refuse its tokens for another ${formatDuration(VALIDATOR_JWKS_CACHE_SECONDS - publishedFor)}. ` +
    'plgd hubs re-fetch the JWKS on an unknown key id; wait if other validators are in the path.'
  )
}
