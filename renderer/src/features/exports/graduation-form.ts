import { z } from 'zod'
import { exportPlgdInput } from '../../../../shared/contract/index'
import { optionalNumberField, pipeInto } from '../../lib/form'

/** A day: long enough for every service to be given its new secret. */
export const DEFAULT_GRACE_SECONDS = 86_400

export const graduationFormSchema = z.object({
  graceSeconds: pipeInto(
    optionalNumberField().transform((v) => v ?? 0),
    exportPlgdInput.shape.graceSeconds,
  ),
})
export type GraduationFormValues = z.input<typeof graduationFormSchema>
export type GraduationFormOutput = z.output<typeof graduationFormSchema>
