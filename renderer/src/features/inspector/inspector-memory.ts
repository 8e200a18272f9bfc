import type { InspectResult } from '../../../../shared/contract/index'
import type { InspectFormValues } from './inspect-form'

/**
 * What the Inspector showed when the user left it: the page unmounts on every page change,
 * and a technician who pastes a token, checks the ledger and comes back expects it still there.
 * Kept in memory only (a token is a credential): a reload forgets it.
 */
export const inspectorMemory: {
  values: InspectFormValues
  result: InspectResult | null
} = { values: { token: '', authority: '' }, result: null }

/** Forget what was pasted (and tests start from an empty Inspector). */
export function forgetInspector(): void {
  inspectorMemory.values = { token: '', authority: '' }
  inspectorMemory.result = null
}
