import type { StatusView, statusMethods } from '../../../shared/contract/index.js'
import type { App } from '../../app.js'
import { readConsoleCaPem } from '../../platform/paths.js'
import type { DomainTable, MethodContext } from './method-table.js'
import { settingsView } from './settings.js'
import { statusWarnings } from './status-warnings.js'

/** The console's overview of the running app; setup returns it too. */
export function statusView(app: App): StatusView {
  const now = app.nowSeconds()
  const keys = app.keys.list()
  const stats = app.ledger.stats(now)
  return {
    setupCompleted: app.settings.get('setupCompleted') === true,
    vault: { mode: app.vault.mode },
    issuer: { ...app.urls(), running: app.running(), station: app.station() },
    caCertPem: readConsoleCaPem(app.dataDir),
    activeKey: keys.find((k) => k.state === 'active') ?? null,
    counts: { clients: app.clients.list().length, ...stats },
    authentication: app.tokens.authenticationStats(),
    settings: settingsView(app),
    warnings: statusWarnings({
      now,
      vaultMode: app.vault.mode,
      keys,
      lastSkew: app.clockSkew.last(),
    }),
  }
}

export function implementStatus({ app }: MethodContext): DomainTable<typeof statusMethods> {
  return { 'status.get': () => statusView(app) }
}
