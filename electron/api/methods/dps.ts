import type { dpsMethods } from '../../../shared/contract/index.js'
import { AppError } from '../../../shared/errors.js'
import type { App } from '../../app.js'
import { readConsoleCaPem } from '../../platform/paths.js'
import { dpsChecklist } from '../../plgd/dps-checklist.js'
import { dpsSetup } from '../../plgd/dps-setup.js'
import { dpsWatchHandler, WATCH_CONCURRENCY } from '../../plgd/dps-watch.js'
import { hubBearerMinter, type MintedBearer } from '../../plgd/hub-bearer.js'
import type { DomainTable, MethodContext } from './method-table.js'

function issuerView(app: App) {
  const s = app.issuerSettings()
  return {
    url: app.urls().issuer,
    caPem: readConsoleCaPem(app.dataDir),
    ownerClaim: s.ownerClaim,
    deviceIdClaim: s.deviceIdClaim,
  }
}

/** Short-lived bearers of the DPS client, in the ledger and the audit log like any token. */
function dpsBearer(
  app: App,
  actor: string,
  hub: string,
): (clientId: string) => Promise<MintedBearer> {
  const mint = hubBearerMinter({
    client: (id) => app.clients.find(id),
    issueAsAdmin: (input) => app.tokens.issueAsAdmin(input),
    audited: (jti, details) =>
      app.audit.append({ actor, action: 'token.issued_by_admin', subject: jti, details }),
  })
  return (clientId) => mint(`${hub} (DPS)`, clientId)
}

export function implementDps({ app, actor, audit }: MethodContext): DomainTable<typeof dpsMethods> {
  // Registered with every dispatcher, before any call can start or resume a watch.
  app.jobs.register(
    dpsWatchHandler({
      hubs: app.hubs,
      mintBearer: (clientId, hub) => dpsBearer(app, 'jobs', hub)(clientId),
      clientOwner: (id) => app.clients.find(id)?.owner ?? null,
      issuer: () => app.urls().issuer,
    }),
  )
  return {
    'dps.setup': (input) =>
      dpsSetup(
        {
          hub: app.hubs.open(input.hub),
          clients: {
            find: (id) => (app.clients.find(id) ? app.clients.get(id) : undefined),
            add: (client) => {
              const added = app.clients.add(client)
              audit('client.created', client.id, { auth: 'client_secret', via: 'dps.setup' })
              app.events.emit({ type: 'client.changed', data: { id: client.id } })
              return added
            },
            rotateSecret: (id, grace) => {
              const rotated = app.clients.rotateSecret(id, grace)
              audit('client.secret_rotated', id, { graceSeconds: grace, via: 'dps.setup' })
              app.events.emit({ type: 'client.changed', data: { id } })
              return rotated
            },
          },
          mintBearer: async (clientId) => (await dpsBearer(app, actor, input.hub)(clientId)).token,
          issuer: issuerView(app),
          audit,
        },
        input,
      ),
    'dps.watch': (input) => {
      if (input.clientId && !app.clients.find(input.clientId)) {
        throw new AppError('not_found', `no client ${input.clientId}: \`clients list\` shows them`)
      }
      app.hubs.open(input.hub)
      const devices = new Set(input.deviceIds).size
      return app.jobs.start('dps.watch', input.hub, input, Math.min(devices, WATCH_CONCURRENCY))
    },
    'dps.checklist': ({ hub, clientId, providerName }) => {
      const profile = app.hubs.open(hub).profile
      return {
        items: dpsChecklist({
          profile,
          issuer: issuerView(app),
          client: clientId && app.clients.find(clientId) ? app.clients.get(clientId) : undefined,
          clientId,
          providerName,
        }),
      }
    },
  }
}
