import type { graduationMethods } from '../../../shared/contract/index.js'
import { AppError } from '../../../shared/errors.js'
import type { DomainTable, MethodContext } from './method-table.js'

// A seam: the methods are declared in the contract; their implementation lands next.
const pending = (): never => {
  throw new AppError('conflict', 'not built yet')
}

export function implementGraduation(_ctx: MethodContext): DomainTable<typeof graduationMethods> {
  return {
    'export.bundle': pending,
    'export.plgd': pending,
    'import.plgd': pending,
  }
}
