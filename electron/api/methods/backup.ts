import type { backupMethods } from '../../../shared/contract/index.js'
import { createBackup } from '../../backup/create-backup.js'
import type { DomainTable, MethodContext } from './method-table.js'

export function implementBackup(ctx: MethodContext): DomainTable<typeof backupMethods> {
  return {
    'backup.create': ({ passphrase }) =>
      createBackup({
        app: ctx.app,
        passphrase,
        audit: (details) => ctx.audit('backup.created', 'backup', details),
      }),
  }
}
