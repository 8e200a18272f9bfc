import type { localMethods, LocalStatus } from '../../../shared/contract/index.js'
import { AppError } from '../../../shared/errors.js'
import type { App } from '../../app.js'
import { initClientApp, resetClientApp, type LocalAdminDeps } from '../../local/client-app-init.js'
import type { ClientAppHandle } from '../../local/client-apps.js'
import { csrSigner, type CsrSigner } from '../../local/csr-signing.js'
import { discoverHandler } from '../../local/discover.js'
import { offboardHandler } from '../../local/offboard.js'
import { disownHandler, ownHandler } from '../../local/ownership.js'
import { readConsoleCaPem } from '../../platform/paths.js'
import { createPlgdClient } from '../../plgd/plgd-http-client.js'
import { localApps } from './local-apps.js'
import { implementLocalOnboarding } from './local-onboarding.js'
import type { DomainTable, MethodContext } from './method-table.js'

/** The hub profile's certificate-authority signing with a bearer of ours for `owner`. */
function signerOf(
  app: App,
  hub: string,
  publishedCa: string | null,
  bearer: () => Promise<string>,
  owner: string,
): CsrSigner {
  return csrSigner({
    hub: app.hubs.open(hub).profile,
    publishedCa,
    bearer,
    owner,
    issuer: { authority: app.urls().issuer, caPem: readConsoleCaPem(app.dataDir) },
    makeClient: (o) => createPlgdClient({ ...o, service: 'certificate-authority', log: app.log }),
  })
}

/** The device's CSR in X509 ownership: the hub client-application was initialised with signs it. */
function ownSigner(app: App) {
  return async (handle: ClientAppHandle, signal: AbortSignal): Promise<CsrSigner> => {
    const record = handle.record
    if (!record?.hub || !handle.bearer) {
      throw new AppError(
        'invalid_input',
        `client-application at ${handle.url} asks for the device's identity certificate to be signed by the hub's certificate-authority, and this console did not initialise it with a hub: \`local init --owner ${record?.owner ?? 'OWNER'} --client ${record?.clientId ?? 'CLIENT_ID'} --hub NAME --force\``,
      )
    }
    const status = await handle.status(signal)
    const published = status.remoteProvisioning?.certificateAuthority ?? null
    return signerOf(app, record.hub, published, handle.bearer, record.owner)
  }
}

/** Device work needs a client-application that runs, is initialised, and is ours to use. */
async function ready(handle: ClientAppHandle): Promise<LocalStatus> {
  const status = await handle.status()
  if (status.problems.length > 0) {
    const code = status.running ? 'conflict' : 'upstream'
    throw new AppError(code, status.problems.map((p) => p.message).join('; '))
  }
  return status
}

/** client-application: connection, discovery, ownership, offboarding; onboarding is its own file. */
export function implementLocal(ctx: MethodContext): DomainTable<typeof localMethods> {
  const { app, actor, audit } = ctx
  const apps = localApps(app, actor)
  // Registered with every dispatcher, before any call can start or resume a job.
  const jobApps = localApps(app, 'jobs')
  app.jobs.register(discoverHandler(jobApps))
  app.jobs.register(ownHandler(jobApps, ownSigner(app)))
  app.jobs.register(disownHandler(jobApps))
  app.jobs.register(offboardHandler(jobApps))

  const admin: LocalAdminDeps = {
    apps,
    jwks: () => JSON.parse(app.keys.exportPublic('jwks')) as unknown,
    client: (id) => {
      const c = app.clients.find(id)
      return (
        c && {
          owner: c.owner,
          allowedOwners: c.allowedOwners,
          disabled: c.disabled,
          authMethod: c.auth.method,
        }
      )
    },
    signer: (hub, publishedCa, bearer, owner) => signerOf(app, hub, publishedCa, bearer, owner),
    audit,
    changed: (url) => app.events.emit({ type: 'local.changed', data: { url } }),
    nowSeconds: app.nowSeconds,
  }

  const devicesJob =
    (kind: 'local.own' | 'local.disown' | 'local.offboard') =>
    async (input: { clientAppUrl?: string | undefined; deviceIds: string[] }) => {
      const handle = apps.open(input.clientAppUrl)
      await ready(handle)
      return app.jobs.start(kind, '', { ...input, clientAppUrl: handle.url })
    }

  return {
    'local.status': (input) => apps.open(input.clientAppUrl).status(),
    'local.init': (input) => initClientApp(admin, input),
    'local.reset': (input) => resetClientApp(admin, input),
    'local.discover': async (input) => {
      const handle = apps.open(input.clientAppUrl)
      const status = await handle.status()
      // Discovery needs an initialised client-application; another owner's may still discover.
      const blocking = status.problems.find(
        (p) => p.problem === 'not_running' || p.problem === 'not_initialized',
      )
      if (blocking) throw new AppError(status.running ? 'conflict' : 'upstream', blocking.message)
      const timeoutSeconds = input.timeoutSeconds ?? status.defaultDiscoveryTimeoutSeconds
      return app.jobs.start(
        'local.discover',
        '',
        { ...input, clientAppUrl: handle.url, timeoutSeconds },
        1,
      )
    },
    'local.own': devicesJob('local.own'),
    'local.disown': devicesJob('local.disown'),
    'local.offboard': devicesJob('local.offboard'),
    ...implementLocalOnboarding(ctx),
  }
}
