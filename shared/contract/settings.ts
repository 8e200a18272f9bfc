import { z } from 'zod'
import { BASE_PATH, MAX_LIFETIME_CAP_SECONDS } from '../constants.js'
import { lifetime, trustedAuthoritySchema } from './common.js'
import { clientAppUrl } from './local.js'

const DNS_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
const DNS_NAME = new RegExp(`^${DNS_LABEL}(?:\\.${DNS_LABEL})*\\.?$`)
const IPV6 = /^[0-9A-Fa-f:.]+$/

/**
 * A DNS name (letters, digits, hyphens, dot-separated labels) or an IPv4/IPv6 address: what a
 * URL's host and a certificate's name can hold. `my station.local` or `bad host!` would make an
 * issuer URL no hub can use, so they are refused where they are typed.
 */
export function isHostName(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false
  if (value.includes(':')) return IPV6.test(value) && value.split(':').length >= 3
  return DNS_NAME.test(value)
}

export const HOST_NAME_MESSAGE =
  'a host name (letters, digits, hyphens and dots, such as station.local) or an IP address, without spaces'
export const PORT_MESSAGE =
  'a port from 1 to 65535, or 0 to pick a free one at the next start (then kept)'

export const hostName = z.string().refine(isHostName, HOST_NAME_MESSAGE)
/** 0 picks a free port once: the issuer stores the port it bound, so `iss` stays the same. */
export const portNumber = z
  .number({ error: PORT_MESSAGE })
  .int(PORT_MESSAGE)
  .min(0, PORT_MESSAGE)
  .max(65535, PORT_MESSAGE)

export const issuerSettingsSchema = z.object({
  listenHost: hostName,
  port: portNumber,
  publicHost: hostName.nullable(),
  ownerClaim: z.string().min(1).max(255),
  deviceIdClaim: z.string().min(1).max(255),
  maxLifetimeSeconds: lifetime,
  /** Seconds `iat` is set in the past, for hubs whose clock runs behind (plgd allows none). */
  iatBackdateSeconds: z.number().int().min(0).max(300),
  /** How long expired token records stay in the ledger before the hourly purge. */
  ledgerRetentionSeconds: z.number().int().min(0).max(MAX_LIFETIME_CAP_SECONDS),
  /** Other authorities whose users may call the tokens API (plgd: the customer's OAuth server). */
  trustedAuthorities: z.array(trustedAuthoritySchema).max(16),
  /**
   * An always-on issuer: discovery advertises plgd's tokens endpoint, so hubs check every token
   * and honour revocations (`serve --station` turns it on for one run).
   */
  station: z.boolean(),
})
export type IssuerSettingsView = z.infer<typeof issuerSettingsSchema>
/** What the console shows and changes: the issuer's settings and the bulk-job limit. */
export type SettingsView = IssuerSettingsView & {
  /** Requests in flight per bulk job unless the job sets its own (default 16). */
  jobConcurrency: number
  /** The plgd client-application local commands use unless they name one. */
  clientAppUrl: string
}
export const updateSettingsInput = issuerSettingsSchema.partial().extend({
  jobConcurrency: z.number().int().min(1).max(256).optional(),
  clientAppUrl: clientAppUrl.optional(),
})

/** Settings the running issuer reads only when it starts: a change waits for a restart. */
export const RESTART_SETTINGS = ['listenHost', 'port', 'publicHost', 'station'] as const
export type RestartSetting = (typeof RESTART_SETTINGS)[number]

/** How to restart the issuer: there is no restart method, so the user restarts the process. */
export const RESTART_HINT =
  'restart the issuer for this to take effect: stop `serve` (Ctrl+C, or its service manager) and start it again, or quit the desktop app (tray menu, Quit) and open it again; the console link is new after a restart'

/** What a change of the authority URL breaks, and what the hub admin must update. */
export const AUTHORITY_CHANGE_WARNING =
  "Hubs trust one exact authority URL: after this change, every hub and DPS pointed at the old one refuses this issuer's tokens, and tokens already issued (iss = the old URL) fail at hubs and in the Inspector. The hub admin must set the new URL in the hub's authorization.endpoints[].authority and in the DPS provider's authority"

/** What a change means beyond the stored values. */
export interface SettingsChangeEffects {
  /** Changed settings that take effect only when the issuer restarts (empty: none, or not running). */
  restartNeeded: RestartSetting[]
  /** The issuer URL (`iss`) before and after the change; null when it stays the same. */
  authority: { from: string; to: string } | null
}
export type SettingsUpdateView = SettingsView & { effects: SettingsChangeEffects }

/**
 * The issuer URL hubs will see with these settings, on the scheme in use; null when port 0
 * leaves it to the next start.
 */
export function authorityFor(
  s: Pick<IssuerSettingsView, 'publicHost' | 'listenHost' | 'port'>,
  scheme: string,
): string | null {
  if (s.port === 0) return null
  const host = s.publicHost ?? s.listenHost
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${s.port}${BASE_PATH}`
}

export const settingsMethods = {
  'settings.update': { input: updateSettingsInput, output: {} as SettingsUpdateView },
} as const
