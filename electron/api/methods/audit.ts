import type { auditMethods } from '../../../shared/contract/index.js'
import type { DomainTable, MethodContext } from './method-table.js'

export function implementAudit({ app }: MethodContext): DomainTable<typeof auditMethods> {
  return {
    'audit.list': ({ offset, limit, ...filters }) => app.audit.list(offset, limit, filters),
    'audit.verify': () => app.audit.verify(),
    'audit.export': () => {
      const lines: string[] = []
      const entries = app.audit.exportJsonl((line) => lines.push(line))
      return { jsonl: lines.join(''), entries }
    },
  }
}
