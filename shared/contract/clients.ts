import { z } from 'zod'
import { AUTH_METHODS, TOKEN_TYPES, type TokenType } from '../enums.js'
import { MAX_LIFETIME_CAP_SECONDS } from '../constants.js'
import {
  clientId,
  emptyInput,
  eventOf,
  httpsUrl,
  lifetime,
  nonEmptyText,
  trustedAuthoritySchema,
} from './common.js'

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

const [CLIENT_SECRET, PRIVATE_KEY_JWT, USER_ASSERTION] = AUTH_METHODS

/**
 * How a client authenticates: a secret (default), RFC 7523 private_key_jwt with a public JWKS
 * (inline or by URL), or plgd's user assertion: a user token from a trusted authority.
 */
export const clientAuthSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal(CLIENT_SECRET) }),
  z.object({
    method: z.literal(PRIVATE_KEY_JWT),
    jwks: publicJwksSchema.optional(),
    jwksUri: httpsUrl.optional(),
  }),
  z.object({
    method: z.literal(USER_ASSERTION),
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
  auth: clientAuthSchema.default({ method: CLIENT_SECRET }),
  // \S* rather than \S+: nonEmptyText already refuses an empty entry, once.
  audiences: z.array(nonEmptyText.regex(/^\S*$/, 'an audience cannot contain spaces')).default([]),
  scopes: z.array(nonEmptyText.regex(/^\S*$/, 'a scope cannot contain spaces')).default([]),
  maxLifetimeSeconds: lifetime.optional(),
  extraClaims: z.record(z.string().min(1), z.json()).default({}),
  tokenType: z.enum(TOKEN_TYPES).default('JWT'),
})

export const addClientInput = clientPolicySchema.extend({ id: clientId }).superRefine((v, ctx) => {
  if (v.auth.method !== USER_ASSERTION && v.owner === '') {
    ctx.addIssue({ code: 'custom', path: ['owner'], message: 'owner is required' })
  }
  if (v.auth.method === PRIVATE_KEY_JWT && !v.auth.jwks === !v.auth.jwksUri) {
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
export const setDisabledInput = z.object({
  id: clientId,
  disabled: z.boolean(),
  /** With `disabled`: also revoke the client's tokens that have not expired yet. */
  revokeTokens: z.boolean().default(false),
})

/**
 * What can change on an existing client without a new secret; absent fields stay as they are.
 * Its authentication method cannot change: that is a new client.
 */
export const updateClientInput = z.object({
  id: clientId,
  owner: z.union([nonEmptyText, z.literal('')]).optional(),
  allowedOwners: clientPolicySchema.shape.allowedOwners.unwrap().optional(),
  allowDeviceId: z.boolean().optional(),
  audiences: clientPolicySchema.shape.audiences.unwrap().optional(),
  scopes: clientPolicySchema.shape.scopes.unwrap().optional(),
  maxLifetimeSeconds: lifetime.optional(),
  extraClaims: clientPolicySchema.shape.extraClaims.unwrap().optional(),
  tokenType: z.enum(TOKEN_TYPES).optional(),
})
export type UpdateClientInput = z.input<typeof updateClientInput>
/** One changed field of a client, as its audit entry records it. */
export interface ClientChange {
  field: string
  from: unknown
  to: unknown
}

/**
 * A pasted id with a secret or an assertion, tried against the running token endpoint as a
 * service would: the answer says yes or no and why, never the token itself.
 */
export const testCredentialsInput = z
  .object({
    clientId: z.string().trim().min(1, 'the client id is required').max(512),
    clientSecret: z.string().trim().min(1).max(4096).optional(),
    clientAssertion: z.string().trim().min(1).max(16384).optional(),
  })
  .refine((v) => (v.clientSecret === undefined) !== (v.clientAssertion === undefined), {
    message: 'give either a client secret or a client assertion',
    path: ['clientSecret'],
  })

/** How the credentials were sent: HTTP Basic, the form body (Go x/oauth2's fallback), or a JWT. */
export type CredentialStyle = 'client_secret_basic' | 'client_secret_post' | 'client_assertion'
export interface CredentialAttempt {
  style: CredentialStyle
  status: number
  /** The OAuth error code the endpoint answered, when it refused. */
  error?: string
}
export interface TestCredentialsResult {
  ok: boolean
  tokenEndpoint: string
  attempts: CredentialAttempt[]
  /** On success: what the token says, never the token. */
  claims?: {
    sub: string
    owner?: string
    audiences: string[]
    scope: string
    expiresInSeconds: number
  }
  /** On refusal: the cause in words, from what the console knows about the client, and the fix. */
  explanation?: string
}

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
  tokenType: TokenType
  disabled: boolean
  createdAt: number
  updatedAt: number
  /** Secrets that currently authenticate, newest first; never the secret or its hash. */
  secrets: {
    createdAt: number
    expiresAt: number | null
    /**
     * First 8 hex digits of SHA-256 over the stored keyed hash: tells secrets apart, reveals
     * nothing. Always filled by main; optional only so that the field is an additive change.
     */
    fingerprint?: string
  }[]
}

export interface ClientWithSecret {
  client: ClientView
  /** Shown once: it is stored only as a keyed hash. Absent for clients without a secret. */
  clientSecret?: string
}

export const clientsMethods = {
  'clients.add': { input: addClientInput, output: {} as ClientWithSecret },
  'clients.list': { input: emptyInput, output: {} as ClientView[] },
  'clients.get': { input: clientIdInput, output: {} as ClientView },
  'clients.rotateSecret': { input: rotateSecretInput, output: {} as ClientWithSecret },
  'clients.setDisabled': {
    input: setDisabledInput,
    output: {} as ClientView & { revokedTokens?: number },
  },
  'clients.update': {
    input: updateClientInput,
    output: {} as { client: ClientView; changes: ClientChange[] },
  },
  /** Ends every previous secret's grace period now: only the newest secret keeps working. */
  'clients.endGrace': { input: clientIdInput, output: {} as { client: ClientView; ended: number } },
  'clients.testCredentials': { input: testCredentialsInput, output: {} as TestCredentialsResult },
  'clients.remove': { input: clientIdInput, output: {} as { removed: true } },
} as const

export const clientsEvents = {
  'client.changed': eventOf<{ id: string }>(),
}
