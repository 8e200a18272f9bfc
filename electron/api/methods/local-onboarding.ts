import { AppError } from '../../../shared/errors.js'
import type { App } from '../../app.js'
import { missingDpsEndpoint } from '../../local/onboard-failures.js'
import { onboardHandler, onboardProfileProblem } from '../../local/onboard.js'
import { pointAtDpsHandler } from '../../local/point-at-dps.js'
import { readConsoleCaPem } from '../../platform/paths.js'
import { hubBearerMinter, type MintedBearer } from '../../plgd/hub-bearer.js'
import { clientAppsFor } from './local-apps.js'
import type { MethodContext, MethodTable } from './method-table.js'

/** Jobs run after the call that started them (and again on resume): the audit names them. */
const JOBS_ACTOR = 'jobs'

/** Short-lived bearers of a DPS client, in the ledger and the audit log like any token. */
function dpsBearer(app: App, clientId: string, hub: string): Promise<MintedBearer> {
  const mint = hubBearerMinter({
    client: (id) => app.clients.find(id),
    issueAsAdmin: (input) => app.tokens.issueAsAdmin(input),
    audited: (jti, details) =>
      app.audit.append({
        actor: JOBS_ACTOR,
        action: 'token.issued_by_admin',
        subject: jti,
        details,
      }),
  })
  return mint(`${hub} (DPS)`, clientId)
}

function requireClient(app: App, clientId: string): void {
  if (!app.clients.find(clientId)) {
    throw new AppError('not_found', `no client ${clientId}: \`clients list\` shows them`)
  }
}

/** Devices pointed at DPS, or onboarded directly with a token from this issuer, as jobs. */
export function implementLocalOnboarding({
  app,
  actor,
}: MethodContext): MethodTable<'local.pointAtDps' | 'local.onboard'> {
  // Registered with every dispatcher, before any call can start or resume one of these jobs.
  app.jobs.register(
    pointAtDpsHandler({
      hubs: app.hubs,
      clientApp: (url) => clientAppsFor(app, JOBS_ACTOR).open(url),
      mintBearer: (clientId, hub) => dpsBearer(app, clientId, hub),
      issuer: () => app.urls().issuer,
    }),
  )
  app.jobs.register(
    onboardHandler({
      hubs: app.hubs,
      clientApp: (url) => clientAppsFor(app, JOBS_ACTOR).open(url),
      client: (id) => app.clients.find(id),
      mintDeviceToken: async ({ hub, ...request }) => {
        const issued = await app.tokens.issueAsAdmin({ ...request, scopes: [] })
        // Ids and times only: the token itself goes to client-application and nowhere else.
        app.audit.append({
          actor: JOBS_ACTOR,
          action: 'token.issued_by_admin',
          subject: issued.jti,
          details: {
            clientId: request.clientId,
            owner: request.owner,
            deviceId: request.deviceId ?? null,
            expiresAt: issued.expiresAt,
            hub,
            via: 'local.onboard',
          },
        })
        return issued
      },
      issuer: () => {
        const s = app.issuerSettings()
        return {
          url: app.urls().issuer,
          caPem: readConsoleCaPem(app.dataDir),
          ownerClaim: s.ownerClaim,
          deviceIdClaim: s.deviceIdClaim,
          maxLifetimeSeconds: s.maxLifetimeSeconds,
        }
      },
    }),
  )
  // A wrong hub, client or URL is the caller's error, not a job that fails on every device.
  const resolveUrl = (url: string | undefined): string =>
    url ?? clientAppsFor(app, actor).defaultUrl()
  return {
    'local.pointAtDps': (input) => {
      if (input.clientId) requireClient(app, input.clientId)
      const profile = app.hubs.open(input.hub).profile
      if (!profile.dpsDeviceEndpoint)
        throw new AppError('invalid_input', missingDpsEndpoint(input.hub))
      // The job concurrency setting: each device followed is one client-application read per poll.
      return app.jobs.start('local.pointAtDps', input.hub, {
        ...input,
        clientAppUrl: resolveUrl(input.clientAppUrl),
      })
    },
    'local.onboard': (input) => {
      requireClient(app, input.clientId)
      const problem = onboardProfileProblem(app.hubs.open(input.hub).profile)
      if (problem) throw new AppError('invalid_input', problem)
      return app.jobs.start('local.onboard', input.hub, {
        ...input,
        clientAppUrl: resolveUrl(input.clientAppUrl),
      })
    },
  }
}
