import {
  DEFAULT_CLIENT_APP_URL,
  type IssuerSettingsView,
  type SettingsView,
  type settingsMethods,
} from '../../../shared/contract/index.js'
import { AppError } from '../../../shared/errors.js'
import type { App } from '../../app.js'
import { DEFAULT_JOB_CONCURRENCY } from '../../app-settings.js'
import { isLoopback } from '../../issuer/issuer-server.js'
import type { DomainTable, MethodContext } from './method-table.js'

/** The issuer settings as the console sees them: only the contract's fields. */
export function settingsView(app: App): SettingsView {
  const s = app.issuerSettings()
  return {
    listenHost: s.listenHost,
    port: s.port,
    publicHost: s.publicHost,
    ownerClaim: s.ownerClaim,
    deviceIdClaim: s.deviceIdClaim,
    maxLifetimeSeconds: s.maxLifetimeSeconds,
    iatBackdateSeconds: s.iatBackdateSeconds,
    ledgerRetentionSeconds: s.ledgerRetentionSeconds,
    trustedAuthorities: s.trustedAuthorities,
    jobConcurrency: app.settings.get('jobs')?.concurrency ?? DEFAULT_JOB_CONCURRENCY,
    clientAppUrl: app.settings.get('clientApp')?.url ?? DEFAULT_CLIENT_APP_URL,
  }
}

/** Applies a partial change to the issuer settings, audited; setup uses it too. */
export function updateIssuerSettings(
  { app, audit }: MethodContext,
  patch: Partial<IssuerSettingsView>,
): SettingsView {
  const next = { ...app.issuerSettings(), ...patch }
  if (!isLoopback(next.listenHost) && !next.publicHost) {
    throw new AppError(
      'invalid_input',
      'exposing the issuer on the LAN needs the host name hubs use to reach it',
    )
  }
  app.settings.set('issuer', next)
  audit('settings.changed', 'issuer', { keys: Object.keys(patch) })
  return settingsView(app)
}

export function implementSettings(ctx: MethodContext): DomainTable<typeof settingsMethods> {
  return {
    'settings.update': ({ jobConcurrency, clientAppUrl, ...issuer }) => {
      if (clientAppUrl !== undefined) {
        const current = ctx.app.settings.get('clientApp')
        ctx.app.settings.set('clientApp', { apps: {}, ...current, url: clientAppUrl })
        ctx.audit('settings.changed', 'clientApp', { keys: ['url'] })
      }
      // The job limit lives beside the issuer's settings, not in them.
      if (jobConcurrency !== undefined) {
        ctx.app.settings.set('jobs', { concurrency: jobConcurrency })
        ctx.audit('settings.changed', 'jobs', { keys: ['concurrency'] })
      }
      return Object.keys(issuer).length > 0 ||
        (jobConcurrency === undefined && clientAppUrl === undefined)
        ? updateIssuerSettings(ctx, issuer)
        : settingsView(ctx.app)
    },
  }
}
