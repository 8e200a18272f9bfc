import type { App } from '../../app.js'
import type { ClientAppDirectory } from '../../local/client-app-context.js'
import { ClientApps } from '../../local/client-apps.js'
import { HUB_BEARER_LIFETIME_SECONDS } from '../../plgd/hub-bearer.js'
import { createPlgdClient } from '../../plgd/plgd-http-client.js'

/** One directory per app and actor: its cached bearers outlive a single call. */
const directories = new WeakMap<App, Map<string, ClientApps>>()

/**
 * The client-applications as every local use case opens them: the `clientApp` settings, the
 * sealer for PSK keys, and in X509 mode bearers minted from the initialising client for its
 * owner (ledger and audit as `actor`).
 */
export function clientAppsFor(app: App, actor: string): ClientAppDirectory {
  return localApps(app, actor)
}

/** The same directory, with what the local domain itself needs (records, keys, bearers). */
export function localApps(app: App, actor: string): ClientApps {
  let byActor = directories.get(app)
  if (!byActor) {
    byActor = new Map()
    directories.set(app, byActor)
  }
  let apps = byActor.get(actor)
  if (!apps) {
    apps = new ClientApps({
      load: () => app.settings.get('clientApp'),
      save: (value) => app.settings.set('clientApp', value),
      sealer: app.sealer,
      clientState: (id) => {
        const client = app.clients.find(id)
        return !client ? 'missing' : client.disabled ? 'disabled' : 'ok'
      },
      mintBearer: async (url, clientId, owner) => {
        const client = app.clients.find(clientId)
        const cap = client?.maxLifetimeSeconds ?? 0
        const issued = await app.tokens.issueAsAdmin({
          clientId,
          owner,
          audiences: client?.audiences ?? [],
          scopes: [],
          lifetimeSeconds:
            cap > 0 ? Math.min(HUB_BEARER_LIFETIME_SECONDS, cap) : HUB_BEARER_LIFETIME_SECONDS,
          name: `console: client-application ${url}`,
        })
        app.audit.append({
          actor,
          action: 'token.issued_by_admin',
          subject: issued.jti,
          details: { clientId, owner, expiresAt: issued.expiresAt, clientApp: url },
        })
        return { token: issued.accessToken, expiresAt: issued.expiresAt || null }
      },
      makeClient: (o) => createPlgdClient({ ...o, service: 'client-application', log: app.log }),
      nowSeconds: app.nowSeconds,
    })
    byActor.set(actor, apps)
  }
  return apps
}
