import type { exportsMethods } from '../../../shared/contract/index.js'
import { AppError } from '../../../shared/errors.js'
import type { DomainTable, MethodContext } from './method-table.js'

// A seam: the methods are declared in the contract; their implementation lands next.
const pending = (): never => {
  throw new AppError('conflict', 'not built yet')
}

export function implementExports(_ctx: MethodContext): DomainTable<typeof exportsMethods> {
  return {
    'export.client': pending,
    'export.issuer': pending,
  }
}
