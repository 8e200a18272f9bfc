import { z } from 'zod'
import type { ClientView, MethodInput } from '../../../../shared/contract/index'
import { listField, optionalNumberField, optionalTextField } from '../../lib/form'

/** The create-condition form; the token lifetime is required and bounded by the client's cap. */
export function buildConditionSchema(clients: ClientView[]) {
  return z
    .object({
      name: z.string().trim().min(1).max(256),
      configId: z.string().uuid('choose a configuration'),
      deviceIds: listField(),
      resourceTypes: listField(),
      hrefs: listField().pipe(
        z.array(z.string().regex(/^\/\S*$/, 'a resource href starts with / and has no spaces')),
      ),
      jq: optionalTextField(),
      clientId: z.string().min(1, 'choose the client that mints the token'),
      lifetime: optionalNumberField().pipe(
        z.number({ error: "choose the token's lifetime" }).int().positive(),
      ),
    })
    .superRefine((v, ctx) => {
      const client = clients.find((c) => c.id === v.clientId)
      if (client && v.lifetime > client.maxLifetimeSeconds) {
        ctx.addIssue({
          code: 'custom',
          path: ['lifetime'],
          message: `at most ${client.maxLifetimeSeconds} s for client ${client.id}`,
        })
      }
    })
}
export type ConditionFormValues = z.input<ReturnType<typeof buildConditionSchema>>
export type ConditionFormOutput = z.output<ReturnType<typeof buildConditionSchema>>

export const emptyConditionForm = (configId: string | null): ConditionFormValues => ({
  name: '',
  configId: configId ?? '',
  deviceIds: '',
  resourceTypes: '',
  hrefs: '',
  jq: '',
  clientId: '',
  lifetime: '',
})

export function toConditionInput(
  hub: string,
  form: ConditionFormOutput,
): MethodInput<'conditions.create'> {
  return {
    hub,
    name: form.name,
    configId: form.configId,
    deviceIds: form.deviceIds,
    resourceTypes: form.resourceTypes,
    hrefs: form.hrefs,
    jq: form.jq,
    clientId: form.clientId,
    tokenLifetimeSeconds: form.lifetime,
  }
}
