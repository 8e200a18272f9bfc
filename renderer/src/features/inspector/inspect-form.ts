import { z } from 'zod'
import { inspectTokenInput } from '../../../../shared/contract/index'
import { optionalTextField } from '../../lib/form'

export const inspectFormSchema = z.object({
  token: z
    .string()
    .transform((s) => s.trim().replace(/^Bearer\s+/i, ''))
    .pipe(inspectTokenInput.shape.token),
  authority: optionalTextField().pipe(inspectTokenInput.shape.authority),
})
export type InspectFormValues = z.input<typeof inspectFormSchema>
export type InspectFormOutput = z.output<typeof inspectFormSchema>
