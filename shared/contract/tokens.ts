import { z } from 'zod'
import { TOKEN_STATUS_FILTERS } from '../enums.js'
import { clientId, eventOf, httpsUrl, lifetime, nonEmptyText } from './common.js'

export const issueTokenInput = z
  .object({
    clientId,
    audiences: z.array(nonEmptyText).default([]),
    scopes: z.array(nonEmptyText).default([]),
    lifetimeSeconds: lifetime.optional(),
    /** Absolute expiry in unix seconds, as plgd's `expiration`. */
    expiration: z.number().int().positive().optional(),
    name: z.string().max(256).optional(),
    /** Sets the device-id claim; only for clients that allow it. */
    deviceId: nonEmptyText.optional(),
    /** Mint for another of the client's allowed owners. */
    owner: nonEmptyText.optional(),
  })
  .refine((v) => v.lifetimeSeconds === undefined || v.expiration === undefined, {
    message: 'give either a lifetime or an expiration, not both',
  })

export interface IssuedToken {
  accessToken: string
  tokenType: 'Bearer'
  expiresIn: number
  expiresAt: number
  scope: string
  jti: string
}

/** plgd's Token record (interop §1.7) as the ledger keeps it. */
export interface TokenRecordView {
  id: string
  name: string
  owner: string
  issuedAt: number
  audience: string[]
  scope: string[]
  expiration: number
  clientId: string
  subject: string
  originalTokenClaims: Record<string, unknown> | null
  blacklisted: { flag: boolean; timestamp: number } | null
}

export const listTokensInput = z.object({
  clientId: z.string().optional(),
  owner: z.string().optional(),
  /** Free text matched against id, name, client and owner. */
  search: z.string().max(256).optional(),
  status: z.enum(TOKEN_STATUS_FILTERS).default('all'),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(50),
})
export interface TokenPage {
  items: TokenRecordView[]
  total: number
}

export const revokeTokensInput = z.object({ ids: z.array(z.string().min(1)).min(1).max(1000) })

export const inspectTokenInput = z.object({
  token: z
    .string()
    .min(1)
    .max(64 * 1024),
  /** Verify against this authority's discovery and JWKS instead of our own. */
  authority: httpsUrl.optional(),
})
export interface InspectResult {
  header: Record<string, unknown> | null
  payload: Record<string, unknown> | null
  /** Whose keys checked it, and whether the signature held. */
  verification: { checkedAgainst: string; valid: boolean; error?: string }
  /** What a plgd hub service would reject, and why (interop §2.3, §2.5). */
  hubRejections: string[]
}

export const tokensMethods = {
  'tokens.issue': { input: issueTokenInput, output: {} as IssuedToken },
  'tokens.list': { input: listTokensInput, output: {} as TokenPage },
  'tokens.revoke': { input: revokeTokensInput, output: {} as { blacklistedCount: number } },
  'tokens.inspect': { input: inspectTokenInput, output: {} as InspectResult },
} as const

export const tokensEvents = {
  'token.issued': eventOf<{ jti: string; clientId: string; expiresAt: number }>(),
  'token.revoked': eventOf<{ ids: string[] }>(),
}
