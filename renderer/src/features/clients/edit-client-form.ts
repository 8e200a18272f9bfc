import { z } from 'zod'
import {
  type ClientView,
  clientPolicySchema,
  type MethodInput,
  updateClientInput,
} from '../../../../shared/contract/index'
import { jsonField, listField, optionalNumberField, pipeInto } from '../../lib/form'

const shape = updateClientInput.shape
const policy = clientPolicySchema.shape

/**
 * The edit dialog's fields: lists and claims as text, the lifetime as a duration field's
 * seconds. Each ends in the contract's own schema for the field.
 */
export const editClientFormSchema = z.object({
  owner: z.string().trim(),
  allowedOwners: pipeInto(listField(), policy.allowedOwners),
  audiences: pipeInto(listField(), policy.audiences),
  scopes: pipeInto(listField(), policy.scopes),
  maxLifetimeSeconds: optionalNumberField().pipe(shape.maxLifetimeSeconds.unwrap()),
  allowDeviceId: z.boolean(),
  extraClaims: jsonField({}).pipe(policy.extraClaims),
})
/** A client that authenticates itself needs an owner; a user-assertion one takes it per token. */
export function editClientFormSchemaFor(client: ClientView) {
  return editClientFormSchema.refine(
    (v) => client.auth.method === 'user_assertion' || v.owner !== '',
    { path: ['owner'], message: 'owner is required' },
  )
}
export type EditClientFormValues = z.input<typeof editClientFormSchema>
export type EditClientFormOutput = z.output<typeof editClientFormSchema>

export function editFormValues(client: ClientView): EditClientFormValues {
  const claims = Object.keys(client.extraClaims).length
  return {
    owner: client.owner,
    allowedOwners: client.allowedOwners.join(' '),
    audiences: client.audiences.join(' '),
    scopes: client.scopes.join(' '),
    maxLifetimeSeconds: client.maxLifetimeSeconds,
    allowDeviceId: client.allowDeviceId,
    extraClaims: claims === 0 ? '' : JSON.stringify(client.extraClaims, null, 2),
  }
}

/** Only what differs from the client as shown: main records one audit entry per field. */
export function updateFrom(
  client: ClientView,
  values: EditClientFormOutput,
): MethodInput<'clients.update'> {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
  const input: MethodInput<'clients.update'> = { id: client.id }
  if (values.owner !== client.owner) input.owner = values.owner
  if (!same(values.allowedOwners, client.allowedOwners)) input.allowedOwners = values.allowedOwners
  if (!same(values.audiences, client.audiences)) input.audiences = values.audiences
  if (!same(values.scopes, client.scopes)) input.scopes = values.scopes
  if (values.maxLifetimeSeconds !== client.maxLifetimeSeconds)
    input.maxLifetimeSeconds = values.maxLifetimeSeconds
  if (values.allowDeviceId !== client.allowDeviceId) input.allowDeviceId = values.allowDeviceId
  if (!same(values.extraClaims, client.extraClaims)) input.extraClaims = values.extraClaims
  return input
}

/** Test-credentials form: the pasted id, and a secret or an assertion. */
export const testCredentialsFormSchema = z
  .object({
    clientId: z.string().trim().min(1, 'paste the client id'),
    kind: z.enum(['secret', 'assertion']),
    credential: z.string().trim().min(1, 'paste the secret or assertion'),
  })
  .transform(({ clientId, kind, credential }): MethodInput<'clients.testCredentials'> =>
    kind === 'secret'
      ? { clientId, clientSecret: credential }
      : { clientId, clientAssertion: credential },
  )
export type TestCredentialsFormValues = z.input<typeof testCredentialsFormSchema>
export type TestCredentialsFormOutput = z.output<typeof testCredentialsFormSchema>

/** A grace period for services that hold the secret (DPS fails at once with 0): one hour. */
export const SUGGESTED_GRACE_SECONDS = 3600
