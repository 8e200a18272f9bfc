import type { TokenRecordView } from '../../../../shared/contract/index'
import type { TokenState } from '../../../../shared/enums'

/** Revoked wins over expired, as in the ledger's filters: a token has exactly one state. */
export function tokenState(token: TokenRecordView, now: number): TokenState {
  if (token.blacklisted?.flag) return 'revoked'
  if (token.expiration > 0 && token.expiration <= now) return 'expired'
  return 'active'
}

export const STATE_COLORS: Record<TokenState, string> = {
  active: 'green',
  expired: 'gray',
  revoked: 'red',
}
