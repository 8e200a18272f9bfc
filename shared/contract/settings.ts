import { z } from 'zod'
import { MAX_LIFETIME_CAP_SECONDS } from '../constants.js'
import { lifetime, trustedAuthoritySchema } from './common.js'
import { clientAppUrl } from './local.js'

export const issuerSettingsSchema = z.object({
  listenHost: z.string().min(1).max(255),
  port: z.number().int().min(0).max(65535),
  publicHost: z.string().min(1).max(255).nullable(),
  ownerClaim: z.string().min(1).max(255),
  deviceIdClaim: z.string().min(1).max(255),
  maxLifetimeSeconds: lifetime,
  /** Seconds `iat` is set in the past, for hubs whose clock runs behind (plgd allows none). */
  iatBackdateSeconds: z.number().int().min(0).max(300),
  /** How long expired token records stay in the ledger before the hourly purge. */
  ledgerRetentionSeconds: z.number().int().min(0).max(MAX_LIFETIME_CAP_SECONDS),
  /** Other authorities whose users may call the tokens API (plgd: the customer's OAuth server). */
  trustedAuthorities: z.array(trustedAuthoritySchema).max(16),
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

export const settingsMethods = {
  'settings.update': { input: updateSettingsInput, output: {} as SettingsView },
} as const
