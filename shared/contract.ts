import { z } from 'zod'
import {
  IMPORTABLE_ALGORITHMS,
  MAX_LIFETIME_CAP_SECONDS,
  SIGNING_ALGORITHMS,
  type KeyAlgorithm,
} from './constants.js'

/**
 * The one list of operations the console offers. The CLI (through the control socket or
 * directly), Electron IPC and the headless bridge are transports over this same contract:
 * a method is added here first, then implemented once in electron/api/dispatcher.ts.
 */

const clientId = z
  .string()
  .min(1, 'client id is required')
  .max(128, 'client id is at most 128 characters')
  .regex(/^[A-Za-z0-9._~-]+$/, 'client id may use letters, digits and . _ ~ - only')
const nonEmptyText = z.string().trim().min(1).max(512)
const lifetime = z.number().int().positive().max(MAX_LIFETIME_CAP_SECONDS)

const httpsUrl = z
  .string()
  .url()
  .refine((u) => u.startsWith('https://'), 'must be an https:// URL')

/** A public JWKS a private_key_jwt client signs its assertions with. */
export const publicJwksSchema = z.object({
  keys: z
    .array(
      z
        .object({ kty: z.string() })
        .catchall(z.unknown())
        .refine((k) => !('d' in k), 'a JWKS for a client must hold public keys only'),
    )
    .min(1),
})

/** An issuer whose user tokens a client may exchange (plgd's jwtPrivateKey authorization). */
export const trustedAuthoritySchema = z.object({
  authority: httpsUrl,
  /** PEM of the CA that signs the authority's TLS certificate; the system pool otherwise. */
  caPem: z
    .string()
    .max(64 * 1024)
    .optional(),
})
export type TrustedAuthority = z.infer<typeof trustedAuthoritySchema>

/**
 * How a client authenticates: a secret (default), RFC 7523 private_key_jwt with a public JWKS
 * (inline or by URL), or plgd's user assertion: a user token from a trusted authority.
 */
export const clientAuthSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('client_secret') }),
  z.object({
    method: z.literal('private_key_jwt'),
    jwks: publicJwksSchema.optional(),
    jwksUri: httpsUrl.optional(),
  }),
  z.object({
    method: z.literal('user_assertion'),
    authorities: z.array(trustedAuthoritySchema).min(1),
  }),
])
export type ClientAuth = z.infer<typeof clientAuthSchema>

export const clientPolicySchema = z.object({
  /** Owner of the client's tokens; empty for user-assertion clients (the assertion names it). */
  owner: z.union([nonEmptyText, z.literal('')]).default(''),
  /** Owners the client may mint for besides `owner` (coap-gateway mints for many); never "any". */
  allowedOwners: z.array(nonEmptyText).default([]),
  /** DPS/coap-gateway may ask for the device-id claim with a parameter named after it. */
  allowDeviceId: z.boolean().default(false),
  auth: clientAuthSchema.default({ method: 'client_secret' }),
  // \S* rather than \S+: nonEmptyText already refuses an empty entry, once.
  audiences: z.array(nonEmptyText.regex(/^\S*$/, 'an audience cannot contain spaces')).default([]),
  scopes: z.array(nonEmptyText.regex(/^\S*$/, 'a scope cannot contain spaces')).default([]),
  maxLifetimeSeconds: lifetime.optional(),
  extraClaims: z.record(z.string().min(1), z.json()).default({}),
  tokenType: z.enum(['JWT', 'at+jwt']).default('JWT'),
})

export const addClientInput = clientPolicySchema.extend({ id: clientId }).superRefine((v, ctx) => {
  if (v.auth.method !== 'user_assertion' && v.owner === '') {
    ctx.addIssue({ code: 'custom', path: ['owner'], message: 'owner is required' })
  }
  if (v.auth.method === 'private_key_jwt' && !v.auth.jwks === !v.auth.jwksUri) {
    ctx.addIssue({ code: 'custom', path: ['auth'], message: 'give either a JWKS or a JWKS URI' })
  }
})
export type AddClientInput = z.input<typeof addClientInput>

export const clientIdInput = z.object({ id: clientId })
export const rotateSecretInput = z.object({
  id: clientId,
  /** How long the previous secret keeps working; 0 ends it now. */
  graceSeconds: z.number().int().min(0).max(MAX_LIFETIME_CAP_SECONDS).default(0),
})
export const setDisabledInput = z.object({ id: clientId, disabled: z.boolean() })

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

export const rotateKeysInput = z.object({ alg: z.enum(SIGNING_ALGORITHMS).optional() })
export const importKeyInput = z.object({
  pem: z
    .string()
    .min(1)
    .max(64 * 1024),
  activate: z.boolean().default(false),
})

export interface ClientView {
  id: string
  owner: string
  allowedOwners: string[]
  allowDeviceId: boolean
  auth: ClientAuth
  audiences: string[]
  scopes: string[]
  maxLifetimeSeconds: number
  extraClaims: Record<string, unknown>
  tokenType: 'JWT' | 'at+jwt'
  disabled: boolean
  createdAt: number
  updatedAt: number
  /** Secrets that currently authenticate, newest first; never the secret or its hash. */
  secrets: { createdAt: number; expiresAt: number | null }[]
}

export interface ClientWithSecret {
  client: ClientView
  /** Shown once: it is stored only as a keyed hash. Absent for clients without a secret. */
  clientSecret?: string
}

export type KeyState = 'next' | 'active' | 'retiring'
export interface KeyView {
  kid: string
  alg: KeyAlgorithm
  state: KeyState
  origin: 'generated' | 'imported'
  createdAt: number
  activatedAt: number | null
  /** When a retiring key leaves the JWKS: every token it signed has expired by then. */
  retireAt: number | null
}

export interface IssuedToken {
  accessToken: string
  tokenType: 'Bearer'
  expiresIn: number
  expiresAt: number
  scope: string
  jti: string
}

export const algorithmSchema = z.enum(IMPORTABLE_ALGORITHMS)

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
  status: z.enum(['all', 'active', 'expired', 'revoked']).default('all'),
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

export const exportPublicKeysInput = z.object({
  format: z.enum(['jwks', 'pem']),
  kid: z.string().optional(),
})

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
export const updateSettingsInput = issuerSettingsSchema.partial()

export const completeSetupInput = z.object({
  alg: z.enum(SIGNING_ALGORITHMS).default('ES256'),
  publicHost: z.string().min(1).max(255).nullable().default(null),
  port: z.number().int().min(0).max(65535).optional(),
  exposeOnLan: z.boolean().default(false),
})

export interface StatusView {
  setupCompleted: boolean
  vault: { mode: 'keychain' | 'passphrase' }
  issuer: {
    issuer: string
    tokenEndpoint: string
    jwksUri: string
    running: boolean
    station: boolean
  }
  caCertPem: string | null
  activeKey: KeyView | null
  counts: { clients: number; tokens: number; activeTokens: number }
  settings: IssuerSettingsView
  warnings: { code: string; message: string }[]
}

export const clockSkewInput = z.object({
  url: z.string().url(),
  /** PEM of the CA behind the URL's certificate (a hub with a private CA); the system pool otherwise. */
  caPem: z
    .string()
    .max(64 * 1024)
    .optional(),
})
export interface ClockSkew {
  url: string
  /** Their clock minus ours, in seconds; positive when they are ahead. */
  skewSeconds: number
  roundTripMs: number
}

export interface AuditEntry {
  seq: number
  at: number
  actor: string
  action: string
  subject: string
  details: Record<string, unknown>
  hash: string
}
export const listAuditInput = z.object({
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(100),
})
export interface AuditPage {
  items: AuditEntry[]
  total: number
}
export interface AuditVerification {
  ok: boolean
  entries: number
  /** The first entry whose hash does not follow from its predecessor. */
  brokenAt?: number
}

/** Events main pushes to the UI. Every subscription returns its unsubscribe. */
export type AppEvent =
  | { type: 'token.issued'; data: { jti: string; clientId: string; expiresAt: number } }
  | { type: 'token.revoked'; data: { ids: string[] } }
  | { type: 'key.rotated'; data: { activeKid: string } }
  | { type: 'client.changed'; data: { id: string } }
  | { type: 'issuer.state'; data: { running: boolean; issuer: string } }
export type AppEventType = AppEvent['type']

export const contract = {
  'clients.add': { input: addClientInput, output: {} as ClientWithSecret },
  'clients.list': { input: z.object({}), output: {} as ClientView[] },
  'clients.get': { input: clientIdInput, output: {} as ClientView },
  'clients.rotateSecret': { input: rotateSecretInput, output: {} as ClientWithSecret },
  'clients.setDisabled': { input: setDisabledInput, output: {} as ClientView },
  'clients.remove': { input: clientIdInput, output: {} as { removed: true } },
  'tokens.issue': { input: issueTokenInput, output: {} as IssuedToken },
  'keys.list': { input: z.object({}), output: {} as KeyView[] },
  'keys.rotate': { input: rotateKeysInput, output: {} as KeyView[] },
  'keys.import': { input: importKeyInput, output: {} as KeyView },
  'keys.exportPublic': { input: exportPublicKeysInput, output: {} as { content: string } },
  'tokens.list': { input: listTokensInput, output: {} as TokenPage },
  'tokens.revoke': { input: revokeTokensInput, output: {} as { blacklistedCount: number } },
  'tokens.inspect': { input: inspectTokenInput, output: {} as InspectResult },
  'status.get': { input: z.object({}), output: {} as StatusView },
  'setup.complete': { input: completeSetupInput, output: {} as StatusView },
  'settings.update': { input: updateSettingsInput, output: {} as IssuerSettingsView },
  'clock.skew': { input: clockSkewInput, output: {} as ClockSkew },
  'audit.list': { input: listAuditInput, output: {} as AuditPage },
  'audit.verify': { input: z.object({}), output: {} as AuditVerification },
  /** The whole log as JSON Lines, each entry with its prevHash and hash. */
  'audit.export': { input: z.object({}), output: {} as { jsonl: string; entries: number } },
} as const

export type Contract = typeof contract
export type MethodName = keyof Contract
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>
export type ParsedInput<M extends MethodName> = z.output<Contract[M]['input']>
export type MethodOutput<M extends MethodName> = Contract[M]['output']

export type Envelope<T> =
  { ok: true; value: T } | { ok: false; error: import('./errors.js').ErrorShape }

/** Compile-time check that METHOD_NAMES lists exactly the contract's methods. */
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never
export const methodNamesMatchContract: SameKeys<
  (typeof import('./method-names.js').METHOD_NAMES)[number],
  MethodName
> = true
