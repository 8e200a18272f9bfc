import type { clientsMethods } from '../../../shared/contract/index.js'
import type { DomainTable, MethodContext } from './method-table.js'

/** The client registry's administrative acts, each audited and announced. */
export function implementClients({
  app,
  audit,
}: MethodContext): DomainTable<typeof clientsMethods> {
  const changed = (id: string): void => app.events.emit({ type: 'client.changed', data: { id } })
  return {
    'clients.add': (input) => {
      const added = app.clients.add(input)
      audit('client.created', input.id, { auth: input.auth.method })
      changed(input.id)
      return added
    },
    'clients.list': () => app.clients.list(),
    'clients.get': ({ id }) => app.clients.get(id),
    'clients.rotateSecret': ({ id, graceSeconds }) => {
      const rotated = app.clients.rotateSecret(id, graceSeconds)
      audit('client.secret_rotated', id, { graceSeconds })
      changed(id)
      return rotated
    },
    'clients.setDisabled': ({ id, disabled }) => {
      const client = app.clients.setDisabled(id, disabled)
      audit(disabled ? 'client.disabled' : 'client.enabled', id)
      changed(id)
      return client
    },
    'clients.remove': ({ id }) => {
      app.clients.remove(id)
      audit('client.removed', id)
      changed(id)
      return { removed: true as const }
    },
  }
}
