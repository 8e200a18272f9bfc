import type { MethodName } from '../../../shared/contract/index.js'
import type { App } from '../../app.js'
import { implementAbout } from './about.js'
import { implementAudit } from './audit.js'
import { implementBackup } from './backup.js'
import { implementClients } from './clients.js'
import { implementClock } from './clock.js'
import { implementDevices } from './devices.js'
import { implementDps } from './dps.js'
import { implementExports } from './exports.js'
import { implementGraduation } from './graduation.js'
import { implementJobs } from './jobs.js'
import { implementHubs } from './hubs.js'
import { implementKeys } from './keys.js'
import { implementLocal } from './local.js'
import { methodContext, type MethodTable } from './method-table.js'
import { implementSettings } from './settings.js'
import { implementSetup } from './setup.js'
import { implementSnippets } from './snippets.js'
import { implementStatus } from './status.js'
import { implementTokens } from './tokens.js'

/** Every contract method, exactly once: a domain left out is a compile error. */
export type Implementation = MethodTable<MethodName>

/**
 * The per-domain tables merged. A new method is added to its contract domain file and to the
 * matching table here in methods/, never to the dispatcher. Stateless: whatever outlives a
 * call (the last clock skew, say) is kept by the app.
 */
export function implementMethods(app: App, actor: string): Implementation {
  const ctx = methodContext(app, actor)
  return {
    ...implementClients(ctx),
    ...implementTokens(ctx),
    ...implementKeys(ctx),
    ...implementStatus(ctx),
    ...implementSetup(ctx),
    ...implementSettings(ctx),
    ...implementClock(ctx),
    ...implementAudit(ctx),
    ...implementHubs(ctx),
    ...implementJobs(ctx),
    ...implementSnippets(ctx),
    ...implementDevices(ctx),
    ...implementDps(ctx),
    ...implementLocal(ctx),
    ...implementExports(ctx),
    ...implementGraduation(ctx),
    ...implementBackup(ctx),
    ...implementAbout(ctx),
  }
}

export type { MethodContext, MethodTable } from './method-table.js'
