import type { z } from 'zod'
import type { ErrorShape } from '../errors.js'
import { aboutMethods } from './about.js'
import { auditMethods } from './audit.js'
import { backupMethods } from './backup.js'
import { clientsEvents, clientsMethods } from './clients.js'
import { clockMethods } from './clock.js'
import { devicesMethods } from './devices.js'
import { dpsMethods } from './dps.js'
import { exportsMethods } from './exports.js'
import { graduationMethods } from './graduation.js'
import { hubsEvents, hubsMethods } from './hubs.js'
import { jobsEvents, jobsMethods } from './jobs.js'
import { keysEvents, keysMethods } from './keys.js'
import { localEvents, localMethods } from './local.js'
import { settingsMethods } from './settings.js'
import { setupMethods } from './setup.js'
import { snippetsMethods } from './snippets.js'
import { statusEvents, statusMethods } from './status.js'
import { tokensEvents, tokensMethods } from './tokens.js'

/**
 * The one list of operations the console offers, one file per domain. The CLI (through the
 * control socket or directly), Electron IPC and the headless bridge are transports over this
 * same contract: a method is added to its domain file first, then implemented once in
 * electron/api/methods/<domain>.ts.
 */
export const contract = {
  ...clientsMethods,
  ...tokensMethods,
  ...keysMethods,
  ...statusMethods,
  ...setupMethods,
  ...settingsMethods,
  ...clockMethods,
  ...auditMethods,
  ...hubsMethods,
  ...dpsMethods,
  ...snippetsMethods,
  ...devicesMethods,
  ...jobsMethods,
  ...localMethods,
  ...exportsMethods,
  ...graduationMethods,
  ...backupMethods,
  ...aboutMethods,
} as const

/** Events main pushes to the UI, by type. Every subscription returns its unsubscribe. */
const events = {
  ...tokensEvents,
  ...keysEvents,
  ...clientsEvents,
  ...statusEvents,
  ...hubsEvents,
  ...jobsEvents,
  ...localEvents,
}
type Events = typeof events
export type AppEventType = keyof Events
export type AppEvent = { [T in AppEventType]: { type: T; data: Events[T] } }[AppEventType]
/** Every event type, derived from the same table as the union. */
export const APP_EVENT_TYPES = Object.keys(events) as AppEventType[]

export type Contract = typeof contract
export type MethodName = keyof Contract
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>
export type ParsedInput<M extends MethodName> = z.output<Contract[M]['input']>
export type MethodOutput<M extends MethodName> = Contract[M]['output']

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorShape }

/** Compile-time check that the generated METHOD_NAMES lists exactly the contract's methods. */
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never
export const methodNamesMatchContract: SameKeys<
  (typeof import('../method-names.js').METHOD_NAMES)[number],
  MethodName
> = true

export * from './about.js'
export * from './audit.js'
export * from './backup.js'
export * from './clients.js'
export * from './clock.js'
export * from './common.js'
export * from './devices.js'
export * from './dps.js'
export * from './exports.js'
export * from './graduation.js'
export * from './hubs.js'
export * from './jobs.js'
export * from './keys.js'
export * from './local.js'
export * from './settings.js'
export * from './setup.js'
export * from './snippets.js'
export * from './status.js'
export * from './tokens.js'
