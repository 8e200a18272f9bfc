import type { ClientChange, clientsMethods } from '../../../shared/contract/index.js'
import { testCredentials } from '../../clients/credential-test.js'
import { request } from '../../net/http-client.js'
import { readConsoleCaPem } from '../../platform/paths.js'
import type { App } from '../../app.js'
import type { DomainTable, MethodContext } from './method-table.js'

/** Every token of a client that has not expired or been revoked yet. */
function liveTokenIds(app: App, clientId: string): string[] {
  app.ledger.flush()
  const ids: string[] = []
  const limit = 500
  for (let offset = 0; ; offset += limit) {
    const page = app.ledger.page({ clientId, status: 'active', offset, limit }, app.nowSeconds())
    ids.push(...page.items.map((t) => t.id))
    if (page.items.length < limit) return ids
  }
}

/**
 * The token endpoint as this machine reaches it: a wildcard or loopback listener over
 * 127.0.0.1 (the issuer's certificate names it), else the address it listens on.
 */
function loopbackEndpoint(app: App): string {
  const url = new URL(app.urls().tokenEndpoint)
  const { listenHost } = app.issuerSettings()
  const wildcard = ['0.0.0.0', '::', 'localhost'].includes(listenHost)
  url.hostname = wildcard || listenHost.startsWith('127.') ? '127.0.0.1' : listenHost
  return url.href
}

/**
 * Extra claims are audited by name: their keys are the client's own choice, and the log refuses
 * any detail keyed like a credential.
 */
function auditedChange(change: ClientChange): Record<string, unknown> {
  if (change.field !== 'extraClaims') return { ...change }
  const names = (v: unknown) => Object.keys((v ?? {}) as Record<string, unknown>).sort()
  return { field: change.field, fromNames: names(change.from), toNames: names(change.to) }
}

/** The client registry's administrative acts, each audited and announced. */
export function implementClients({
  app,
  actor,
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
    'clients.setDisabled': ({ id, disabled, revokeTokens }) => {
      const client = app.clients.setDisabled(id, disabled)
      audit(disabled ? 'client.disabled' : 'client.enabled', id)
      changed(id)
      if (!disabled || !revokeTokens) return client
      const ids = liveTokenIds(app, id)
      const revoked = ids.length > 0 ? app.ledger.blacklist(ids, app.nowSeconds()) : []
      if (revoked.length > 0) {
        app.recordRevocation(actor, revoked, { count: revoked.length, clientDisabled: id })
      }
      return { ...client, revokedTokens: revoked.length }
    },
    'clients.update': (input) => {
      const result = app.clients.update(input)
      // One entry per changed field, so the log reads as a list of decisions.
      for (const change of result.changes) audit('client.updated', input.id, auditedChange(change))
      if (result.changes.length > 0) changed(input.id)
      return result
    },
    'clients.endGrace': ({ id }) => {
      const result = app.clients.endGrace(id)
      if (result.ended > 0) {
        audit('client.grace_ended', id, { previousEnded: result.ended })
        changed(id)
      }
      return result
    },
    'clients.testCredentials': (input) => {
      const settings = app.issuerSettings()
      const caPem = readConsoleCaPem(app.dataDir) ?? undefined
      return testCredentials(
        {
          loopbackTokenEndpoint: loopbackEndpoint(app),
          tokenEndpoint: app.urls().tokenEndpoint,
          post: async (url, form, headers) => {
            const res = await request(url, { method: 'POST', body: form, headers, caPem })
            return { status: res.status, body: res.body.toString('utf8') }
          },
          find: (id) => app.clients.find(id),
          ownerClaim: settings.ownerClaim,
          nowSeconds: () => app.nowSeconds(),
        },
        input,
      )
    },
    'clients.remove': ({ id }) => {
      app.clients.remove(id)
      audit('client.removed', id)
      changed(id)
      return { removed: true as const }
    },
  }
}
