import type { MethodContext, MethodTable } from './method-table.js'

/** Not built yet: replaced by the onboarding implementation (issue 14). */
const pending = (): never => {
  throw new Error('not built yet')
}

/** Devices pointed at DPS, or onboarded directly with a token from this issuer, as jobs. */
export function implementLocalOnboarding(
  _ctx: MethodContext,
): MethodTable<'local.pointAtDps' | 'local.onboard'> {
  return { 'local.pointAtDps': pending, 'local.onboard': pending }
}
