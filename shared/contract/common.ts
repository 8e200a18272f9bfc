import { z } from 'zod'
import { MAX_LIFETIME_CAP_SECONDS } from '../constants.js'

/** Field schemas more than one domain uses. */

export const clientId = z
  .string()
  .min(1, 'client id is required')
  .max(128, 'client id is at most 128 characters')
  .regex(/^[A-Za-z0-9._~-]+$/, 'client id may use letters, digits and . _ ~ - only')
export const nonEmptyText = z.string().trim().min(1).max(512)
export const lifetime = z.number().int().positive().max(MAX_LIFETIME_CAP_SECONDS)
export const emptyInput = z.object({})

export const httpsUrl = z
  .string()
  .url()
  .refine((u) => u.startsWith('https://'), 'must be an https:// URL')

/** PEM of a CA, pasted or read from a file. */
export const caPem = z
  .string()
  .max(64 * 1024)
  .optional()

/** An issuer whose user tokens a client may exchange (plgd's jwtPrivateKey authorization). */
export const trustedAuthoritySchema = z.object({
  authority: httpsUrl,
  /** PEM of the CA that signs the authority's TLS certificate; the system pool otherwise. */
  caPem,
})
export type TrustedAuthority = z.infer<typeof trustedAuthoritySchema>

/**
 * Declares an event's payload type in a runtime table, so the list of event types is derived
 * from the same object as the event union (the renderer filters on it).
 */
export const eventOf = <Data>(): Data => undefined as Data
