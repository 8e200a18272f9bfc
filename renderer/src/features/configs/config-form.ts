import { z } from 'zod'
import type { MethodInput } from '../../../../shared/contract/index'
import { jsonField, optionalNumberField } from '../../lib/form'

/** The create-configuration form: rows of href + JSON text, one TTL for all of them. */
export const configFormSchema = z.object({
  name: z.string().trim().min(1).max(256),
  ttlSeconds: optionalNumberField().pipe(z.number().int().min(0).max(86_400).optional()),
  resources: z
    .array(
      z.object({
        href: z
          .string()
          .trim()
          .min(2, 'an href like /light/1')
          .max(512)
          .regex(/^\/\S*$/, 'a resource href starts with / and has no spaces'),
        json: jsonField(undefined).refine((v) => v !== undefined, 'give the content as JSON'),
      }),
    )
    .min(1, 'a configuration has at least one resource'),
})
export type ConfigFormValues = z.input<typeof configFormSchema>
export type ConfigFormOutput = z.output<typeof configFormSchema>

export const emptyConfigForm = (): ConfigFormValues => ({
  name: '',
  ttlSeconds: '',
  resources: [{ href: '', json: '{}' }],
})

export function toCreateInput(hub: string, form: ConfigFormOutput): MethodInput<'configs.create'> {
  return {
    hub,
    name: form.name,
    resources: form.resources.map((r) => ({
      href: r.href,
      content: r.json as never,
      timeToLiveSeconds: form.ttlSeconds,
    })),
  }
}

/** Token lifetime presets for conditions: the lifetime is always an explicit choice. */
export const LIFETIME_PRESETS = [
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86_400 },
  { label: '7 days', seconds: 604_800 },
] as const
