import type { auditMethods } from '../../../shared/contract/index.js'
import type { DomainTable, MethodContext } from './method-table.js'

export function implementAudit({ app }: MethodContext): DomainTable<typeof auditMethods> {
  return {
    'audit.list': ({ offset, limit }) => app.audit.list(offset, limit),
    'audit.verify': () => app.audit.verify(),
    'audit.export': () => {
      const lines: string[] = []
      const entries = app.audit.exportJsonl((line) => lines.push(line))
      return { jsonl: lines.join(''), entries }
    },
  }
}
