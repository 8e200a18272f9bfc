import { z } from 'zod'
import { clockSkewInput } from '../../../../shared/contract/index'

export const clockSkewFormSchema = z.object({
  url: z
    .string()
    .transform((s) => s.trim())
    .pipe(clockSkewInput.shape.url),
  /** The CA file's text, for a hub behind a private CA; empty: the system's trusted CAs. */
  caPem: z
    .string()
    .transform((s) => (s.trim() === '' ? undefined : s))
    .pipe(clockSkewInput.shape.caPem),
})
export type ClockSkewFormValues = z.input<typeof clockSkewFormSchema>
export type ClockSkewFormOutput = z.output<typeof clockSkewFormSchema>

/** plgd checks `iat` with zero leeway: a hub a second or more behind rejects fresh tokens. */
export const SKEW_WARNING_SECONDS = 1
