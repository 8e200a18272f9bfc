import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { hubsMethods } from '../../../shared/contract/index.js'
import type { App } from '../../app.js'
import { CA_CERT_FILE } from '../../platform/paths.js'
import { checkHub } from '../../plgd/hub-check.js'
import type { DomainTable, MethodContext } from './method-table.js'

/** The console CA hubs must trust (written when the issuer's TLS is set up), or null. */
function consoleCaPem(app: App): string | null {
  try {
    return readFileSync(join(app.dataDir, CA_CERT_FILE), 'utf8')
  } catch {
    return null
  }
}

/** Hub profiles: each change audited (names and URLs, never a token) and announced. */
export function implementHubs({ app, audit }: MethodContext): DomainTable<typeof hubsMethods> {
  const changed = (name: string): void => app.events.emit({ type: 'hub.changed', data: { name } })
  return {
    'hubs.add': async (input) => {
      const hub = await app.hubs.add(input)
      audit('hub.added', hub.name, { url: hub.url, hubId: hub.hubId, auth: hub.auth.kind })
      changed(hub.name)
      return hub
    },
    'hubs.list': () => app.hubs.list(),
    'hubs.get': ({ name }) => app.hubs.get(name),
    'hubs.update': async (input) => {
      const hub = await app.hubs.update(input)
      audit('hub.updated', hub.name, {
        fields: Object.keys(input).filter(
          (k) => k !== 'name' && input[k as keyof typeof input] !== undefined,
        ),
        auth: hub.auth.kind,
      })
      changed(hub.name)
      return hub
    },
    'hubs.remove': ({ name }) => {
      app.hubs.remove(name)
      audit('hub.removed', name)
      changed(name)
      return { removed: true as const }
    },
    'hubs.check': ({ name }) => {
      const hub = app.hubs.open(name)
      return checkHub({
        profile: hub.profile,
        bearer: () => hub.bearer(),
        owner: hub.owner,
        issuerOwnerClaim: app.issuerSettings().ownerClaim,
        issuer: { authority: app.urls().issuer, caPem: consoleCaPem(app) },
      })
    },
  }
}
