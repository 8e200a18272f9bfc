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

export const clientPolicySchema = z.object({
  owner: nonEmptyText,
  audiences: z.array(nonEmptyText.regex(/^\S+$/, 'an audience cannot contain spaces')).default([]),
  scopes: z.array(nonEmptyText.regex(/^\S+$/, 'a scope cannot contain spaces')).default([]),
  maxLifetimeSeconds: lifetime.optional(),
  extraClaims: z.record(z.string().min(1), z.json()).default({}),
  tokenType: z.enum(['JWT', 'at+jwt']).default('JWT'),
})

export const addClientInput = clientPolicySchema.extend({ id: clientId })
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
  /** Shown once: it is stored only as a keyed hash. */
  clientSecret: string
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
} as const

export type Contract = typeof contract
export type MethodName = keyof Contract
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>
export type ParsedInput<M extends MethodName> = z.output<Contract[M]['input']>
export type MethodOutput<M extends MethodName> = Contract[M]['output']

export type Envelope<T> =
  { ok: true; value: T } | { ok: false; error: import('./errors.js').ErrorShape }
