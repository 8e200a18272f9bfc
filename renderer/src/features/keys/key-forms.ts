import { z } from 'zod'
import {
  exportPublicKeysInput,
  importKeyInput,
  rotateKeysInput,
} from '../../../../shared/contract/index'

export const importKeyFormSchema = z.object({
  pem: z
    .string()
    .transform((s) => s.trim())
    .pipe(importKeyInput.shape.pem),
  activate: importKeyInput.shape.activate,
})
export type ImportKeyFormValues = z.input<typeof importKeyFormSchema>
export type ImportKeyFormOutput = z.output<typeof importKeyFormSchema>

export const rotateKeysFormSchema = z.object({
  alg: z
    .string()
    .nullable()
    .transform((v) => v || undefined)
    .pipe(rotateKeysInput.shape.alg),
})
export type RotateKeysFormValues = z.input<typeof rotateKeysFormSchema>
export type RotateKeysFormOutput = z.output<typeof rotateKeysFormSchema>

export const exportKeysFormSchema = z.object({
  format: exportPublicKeysInput.shape.format,
  kid: z
    .string()
    .nullable()
    .transform((v) => v || undefined)
    .pipe(exportPublicKeysInput.shape.kid),
})
export type ExportKeysFormValues = z.input<typeof exportKeysFormSchema>
export type ExportKeysFormOutput = z.output<typeof exportKeysFormSchema>
