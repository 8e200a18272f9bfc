import type { VaultMode } from '../../../shared/enums.js'
import type { ClockSkew, KeyView, StatusWarning } from '../../../shared/contract/index.js'

const DAY = 24 * 3600
/** An active key older than this should be rotated. */
export const KEY_MAX_AGE_SECONDS = 90 * DAY
/** A retiring key this close to leaving the JWKS gets a warning. */
export const RETIRING_NOTICE_SECONDS = DAY
/** Date headers have one-second resolution: less than this is no measured skew. */
export const SKEW_WARNING_SECONDS = 1

/** What the status warnings are decided from; all of it read before, none of it changed here. */
export interface StatusFacts {
  now: number
  vaultMode: VaultMode
  keys: readonly KeyView[]
  /** The last clock skew measured through any transport, if any. */
  lastSkew: ClockSkew | undefined
}

/** The warnings the console's status shows, in a stable order. */
export function statusWarnings({ now, vaultMode, keys, lastSkew }: StatusFacts): StatusWarning[] {
  const warnings: StatusWarning[] = []
  if (vaultMode === 'passphrase') {
    warnings.push({
      code: 'vault_passphrase',
      message: 'No OS keychain: secrets are protected by the vault passphrase alone.',
    })
  }
  const activeKey = keys.find((k) => k.state === 'active')
  if (activeKey?.activatedAt && now - activeKey.activatedAt > KEY_MAX_AGE_SECONDS) {
    warnings.push({
      code: 'key_old',
      message: 'The active signing key is over 90 days old: rotate it.',
    })
  }
  for (const k of keys) {
    if (
      k.state === 'retiring' &&
      k.retireAt !== null &&
      k.retireAt - now < RETIRING_NOTICE_SECONDS
    ) {
      warnings.push({
        code: 'key_retiring',
        message: `Key ${k.kid} leaves the JWKS within a day; tokens it signed stop validating then.`,
      })
    }
  }
  if (lastSkew && Math.abs(lastSkew.skewSeconds) >= SKEW_WARNING_SECONDS) {
    warnings.push({
      code: 'clock_skew',
      message: `${lastSkew.url} is ${lastSkew.skewSeconds} s off: hubs reject tokens whose iat is in their future.`,
    })
  }
  return warnings
}
