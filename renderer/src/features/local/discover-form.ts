import { z } from 'zod'
import { localDiscoverInput } from '../../../../shared/contract/index'
import { listField, optionalNumberField, pipeInto } from '../../lib/form'

const shape = localDiscoverInput.shape

/** The discovery form → `local.discover` input (without the URL, which the page adds). */
export const discoverFormSchema = z
  .object({
    ips: pipeInto(listField(), shape.ips),
    ipv4: z.boolean(),
    ipv6: z.boolean(),
    ownership: z.enum(['any', 'UNOWNED', 'OWNED']),
    types: pipeInto(listField(), shape.types),
    timeoutSeconds: optionalNumberField().pipe(shape.timeoutSeconds),
  })
  .superRefine((v, ctx) => {
    if (v.ips.length === 0 && !v.ipv4 && !v.ipv6) {
      ctx.addIssue({
        code: 'custom',
        path: ['ips'],
        message: 'give an address (host or host:port) or turn on multicast',
      })
    }
  })
  .transform((v) => ({
    ips: v.ips,
    multicast: [...(v.ipv4 ? (['IPV4'] as const) : []), ...(v.ipv6 ? (['IPV6'] as const) : [])],
    ownership: v.ownership === 'any' ? undefined : v.ownership,
    types: v.types,
    timeoutSeconds: v.timeoutSeconds,
  }))

export type DiscoverFormValues = z.input<typeof discoverFormSchema>
export type DiscoverFormOutput = z.output<typeof discoverFormSchema>

export const emptyDiscoverForm: DiscoverFormValues = {
  ips: '',
  ipv4: true,
  ipv6: false,
  ownership: 'any',
  types: '',
  timeoutSeconds: '',
}
