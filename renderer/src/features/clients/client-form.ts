import type { FieldErrors, FieldPath } from 'react-hook-form'
import { z } from 'zod'
import { AUTH_METHODS, type AuthMethod } from '../../../../shared/enums'
import {
  addClientInput,
  clientAuthSchema,
  type ClientView,
  clientPolicySchema,
  rotateSecretInput,
} from '../../../../shared/contract/index'
import {
  fieldError,
  jsonField,
  listField,
  optionalNumberField,
  pipeInto,
  splitList,
} from '../../lib/form'

const AUTH_METHOD_LABELS: Record<AuthMethod, string> = {
  client_secret: 'Client secret',
  private_key_jwt: 'private_key_jwt',
  user_assertion: 'User assertion',
}
/** The auth methods as select options, in the contract's order. */
export const AUTH_METHOD_OPTIONS = AUTH_METHODS.map((value) => ({
  value,
  label: AUTH_METHOD_LABELS[value],
}))
export type { AuthMethod }

export function authLabel(client: ClientView): string {
  return AUTH_METHOD_LABELS[client.auth.method]
}

/** A secret to show once, with the client it belongs to. */
export interface SecretReveal {
  clientId: string
  secret: string
  title: string
}

const shape = clientPolicySchema.shape

/**
 * The auth step: one set of text fields for every method, turned into the contract's
 * discriminated union. Issues keep the form's paths (auth.jwks, auth.jwksUri, auth.authorities).
 */
const authForm = z
  .object({
    method: z.enum(AUTH_METHODS),
    jwks: z.string(),
    jwksUri: z.string(),
    authorities: z.string(),
    caPem: z.string(),
  })
  .transform((v, ctx) => {
    switch (v.method) {
      case 'client_secret':
        return { method: v.method }
      case 'private_key_jwt': {
        const jwksText = v.jwks.trim()
        const jwksUri = v.jwksUri.trim()
        if (!jwksText === !jwksUri) {
          ctx.addIssue({
            code: 'custom',
            path: ['jwks'],
            message: jwksText
              ? 'give either a JWKS or a JWKS URI, not both'
              : 'paste the client’s public JWKS or give its JWKS URI',
          })
          // The method survives a failed step so the owner check below still knows it.
          return { method: v.method }
        }
        let jwks: unknown
        if (jwksText) {
          try {
            jwks = JSON.parse(jwksText)
          } catch {
            ctx.addIssue({ code: 'custom', path: ['jwks'], message: 'not valid JSON' })
            return { method: v.method }
          }
        }
        return { method: v.method, jwks, jwksUri: jwksUri || undefined }
      }
      case 'user_assertion': {
        const caPem = v.caPem.trim() || undefined
        if (splitList(v.authorities).length === 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['authorities'],
            message: 'give at least one trusted authority URL',
          })
          return { method: v.method }
        }
        return {
          method: v.method,
          authorities: splitList(v.authorities).map((authority) => ({ authority, caPem })),
        }
      }
    }
  })
const authFormSchema = pipeInto(authForm, clientAuthSchema)

/**
 * The create-client wizard's fields (text where the user types lists or JSON) and how they
 * become `clients.add` input: every field ends in the contract's own schema for it.
 */
export const clientFormSchema = pipeInto(
  z
    .object({
      id: addClientInput.shape.id,
      owner: shape.owner,
      allowedOwners: pipeInto(listField(), shape.allowedOwners),
      audiences: pipeInto(listField(), shape.audiences),
      scopes: pipeInto(listField(), shape.scopes),
      maxLifetimeSeconds: optionalNumberField().pipe(shape.maxLifetimeSeconds),
      allowDeviceId: z.boolean(),
      tokenType: shape.tokenType,
      extraClaims: jsonField({}).pipe(shape.extraClaims),
      auth: authFormSchema,
    })
    // Checked even while other fields are wrong, so step 1 reports both id and owner at once.
    .refine(
      (v) => v.auth?.method === 'user_assertion' || (typeof v.owner === 'string' && v.owner !== ''),
      { path: ['owner'], message: 'owner is required', when: () => true },
    ),
  addClientInput,
)

export type ClientFormValues = z.input<typeof clientFormSchema>
export type ClientFormOutput = z.output<typeof clientFormSchema>

export const emptyClientForm: ClientFormValues = {
  id: '',
  owner: '',
  allowedOwners: '',
  audiences: '',
  scopes: '',
  maxLifetimeSeconds: '',
  allowDeviceId: false,
  tokenType: 'JWT',
  extraClaims: '',
  auth: { method: 'client_secret', jwks: '', jwksUri: '', authorities: '', caPem: '' },
}

/** The wizard's steps and the fields each one validates before moving on. */
export const CLIENT_FORM_STEPS = [
  { label: 'Identity', fields: ['id', 'auth.method', 'owner', 'allowedOwners'] },
  {
    label: 'Token policy',
    fields: [
      'audiences',
      'scopes',
      'maxLifetimeSeconds',
      'allowDeviceId',
      'tokenType',
      'extraClaims',
    ],
  },
  { label: 'Credentials', fields: ['auth'] },
] as const satisfies readonly { label: string; fields: readonly FieldPath<ClientFormValues>[] }[]

/** The step holding the first field with an error (the wizard jumps back to it). */
export function stepOfFirstError(errors: FieldErrors<ClientFormValues>): number {
  const step = CLIENT_FORM_STEPS.findIndex((s) =>
    s.fields.some((f) => fieldError(errors, f) !== undefined),
  )
  return step === -1 ? CLIENT_FORM_STEPS.length - 1 : step
}

export const rotateSecretFormSchema = z.object({
  graceSeconds: pipeInto(
    optionalNumberField().transform((v) => v ?? 0),
    rotateSecretInput.shape.graceSeconds,
  ),
})
export type RotateSecretFormValues = z.input<typeof rotateSecretFormSchema>
export type RotateSecretFormOutput = z.output<typeof rotateSecretFormSchema>
