import { z } from 'zod'
import { completeSetupInput } from '../../../../shared/contract/index'
import { optionalTextField, pipeInto } from '../../lib/form'
import { portText } from '../settings/settings-fields'

/** The first-run form: text fields in, `setup.complete` input out (the contract's schema). */
export const firstRunFormSchema = z
  .object({
    publicHost: pipeInto(
      optionalTextField().transform((v) => v ?? null),
      completeSetupInput.shape.publicHost,
    ),
    // Text, not a number input: `-5` must be refused, not stored as 5.
    port: optionalTextField().pipe(portText().optional()),
    exposeOnLan: completeSetupInput.shape.exposeOnLan,
    alg: completeSetupInput.shape.alg,
  })
  .superRefine((v, ctx) => {
    if (v.exposeOnLan && !v.publicHost) {
      ctx.addIssue({
        code: 'custom',
        path: ['publicHost'],
        message: 'a LAN-exposed issuer needs the host name hubs use to reach it',
      })
    }
  })

export type FirstRunFormValues = z.input<typeof firstRunFormSchema>
export type FirstRunInput = z.output<typeof firstRunFormSchema>
