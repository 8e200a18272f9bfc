import {
  DEFAULT_CLIENT_APP_URL,
  RESTART_SETTINGS,
  authorityFor,
  type IssuerSettingsView,
  type SettingsChangeEffects,
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
    station: s.station,
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

/**
 * What a patch means beyond the stored values: the settings read only at start (when an issuer
 * runs), and a change of the issuer URL hubs trust.
 */
export function changeEffects(
  app: App,
  before: IssuerSettingsView,
  patch: Partial<IssuerSettingsView>,
): SettingsChangeEffects {
  const changed = RESTART_SETTINGS.filter(
    (key) => key in patch && patch[key] !== undefined && patch[key] !== before[key],
  )
  const restartNeeded = app.running() ? changed : []
  const addressChanged = changed.some((key) => key !== 'station')
  if (!addressChanged) return { restartNeeded, authority: null }
  const from = app.urls().issuer
  const scheme = new URL(from).protocol.replace(':', '')
  const next = { ...before, ...patch }
  // Port 0: the URL is known only once the next start has bound a port.
  const to =
    authorityFor(next, scheme) ??
    authorityFor({ ...next, port: 1 }, scheme)!.replace(':1/', ':<port chosen at the next start>/')
  return { restartNeeded, authority: from === to ? null : { from, to } }
}

export function implementSettings(ctx: MethodContext): DomainTable<typeof settingsMethods> {
  return {
    'settings.update': ({ jobConcurrency, clientAppUrl, ...issuer }) => {
      const before = ctx.app.issuerSettings()
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
      const view =
        Object.keys(issuer).length > 0 ||
        (jobConcurrency === undefined && clientAppUrl === undefined)
          ? updateIssuerSettings(ctx, issuer)
          : settingsView(ctx.app)
      // Set up on the command line: the console need not offer its first-run set-up again.
      if (ctx.actor === 'cli') ctx.app.settings.set('setupCompleted', true)
      return { ...view, effects: changeEffects(ctx.app, before, issuer) }
    },
  }
}
