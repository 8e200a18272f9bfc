import type { localMethods } from '../../../shared/contract/index.js'
import { AppError } from '../../../shared/errors.js'
import { implementLocalOnboarding } from './local-onboarding.js'
import type { DomainTable, MethodContext } from './method-table.js'

/** Not built yet: replaced by the local domain's implementation (issue 14). */
const pending = (): never => {
  throw new AppError('internal', 'not built yet')
}

/** client-application: connection, discovery, ownership, offboarding; onboarding is its own file. */
export function implementLocal(ctx: MethodContext): DomainTable<typeof localMethods> {
  return {
    'local.status': pending,
    'local.init': pending,
    'local.reset': pending,
    'local.discover': pending,
    'local.own': pending,
    'local.disown': pending,
    'local.offboard': pending,
    ...implementLocalOnboarding(ctx),
  }
}
