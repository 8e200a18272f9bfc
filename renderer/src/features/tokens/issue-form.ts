import { z } from 'zod'
import { issueTokenInput, type ClientView } from '../../../../shared/contract/index'
import { listField, optionalNumberField, optionalTextField, pipeInto } from '../../lib/form'
import { formatDuration } from '../../lib/format'

const shape = issueTokenInput.shape

/** Whether the console may mint for this client (user-assertion clients mint only on exchange). */
export function canIssueFor(client: ClientView): boolean {
  return !client.disabled && client.auth.method !== 'user_assertion'
}

/** The longest token a client gets: its own maximum within the issuer's global cap. */
export function effectiveMaxLifetime(client: ClientView, issuerMax: number): number {
  return Math.min(client.maxLifetimeSeconds, issuerMax)
}

/**
 * The issue-token form → `tokens.issue` input. The fields end in the contract's schemas; the
 * checks that depend on the chosen client (lifetime within its maximum, device id and owner
 * only where it allows them) are made here so the user hears about them before main does.
 */
export function buildIssueFormSchema(clients: ClientView[], issuerMax: number) {
  const find = (id: string) => clients.find((c) => c.id === id)
  const form = z
    .object({
      clientId: z
        .string()
        .nullable()
        .transform((v) => v ?? '')
        .pipe(shape.clientId),
      audiences: pipeInto(listField(), shape.audiences),
      scopes: pipeInto(listField(), shape.scopes),
      lifetimeSeconds: optionalNumberField().pipe(shape.lifetimeSeconds),
      name: optionalTextField().pipe(shape.name),
      deviceId: optionalTextField().pipe(shape.deviceId),
      owner: z
        .string()
        .nullable()
        .transform((v) => v || undefined)
        .pipe(shape.owner),
    })
    .superRefine((v, ctx) => {
      const client = find(v.clientId)
      if (!client) {
        ctx.addIssue({ code: 'custom', path: ['clientId'], message: 'choose a client' })
        return
      }
      const max = effectiveMaxLifetime(client, issuerMax)
      if (v.lifetimeSeconds !== undefined && v.lifetimeSeconds > max) {
        ctx.addIssue({
          code: 'custom',
          path: ['lifetimeSeconds'],
          message: `at most ${max} s (${formatDuration(max)}) for ${client.id}`,
        })
      }
      if (
        v.owner !== undefined &&
        v.owner !== client.owner &&
        !client.allowedOwners.includes(v.owner)
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['owner'],
          message: `${client.id} may not mint for this owner`,
        })
      }
    })
    .transform((v) => {
      const client = find(v.clientId)
      return {
        ...v,
        // Fields hidden for this client are dropped, not sent.
        deviceId: client?.allowDeviceId ? v.deviceId : undefined,
        owner: v.owner === client?.owner ? undefined : v.owner,
      }
    })
  return pipeInto(form, issueTokenInput)
}

export type IssueFormSchema = ReturnType<typeof buildIssueFormSchema>
export type IssueFormValues = z.input<IssueFormSchema>
export type IssueFormOutput = z.output<IssueFormSchema>

export function emptyIssueForm(clientId: string | null): IssueFormValues {
  return {
    clientId,
    audiences: '',
    scopes: '',
    lifetimeSeconds: '',
    name: '',
    deviceId: '',
    owner: null,
  }
}
