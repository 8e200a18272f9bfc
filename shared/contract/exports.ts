import { z } from 'zod'
import { clientId } from './common.js'

/**
 * Credentials and trust material in the formats the services that use them read (interop §2.1,
 * §3.2–3.5, §7). Produced by serializers in main (a YAML library, never string templates).
 */
export const EXPORT_FORMATS = [
  'json',
  'env',
  'curl',
  'dps-yaml',
  'dps-json',
  'coap-gateway-yaml',
  'hub-authorization-yaml',
  'helm-values',
  'k8s-secret',
] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** Formats that describe a client's credentials: `export issuer` refuses them, naming `export client`. */
export const CLIENT_ONLY_FORMATS = [
  'dps-yaml',
  'dps-json',
  'coap-gateway-yaml',
] as const satisfies readonly ExportFormat[]

export const exportClientInput = z.object({
  id: clientId,
  format: z.enum(EXPORT_FORMATS),
  /**
   * The secret just shown by `clients.add` or `clients.rotateSecret` (the one-time hand-off):
   * included only when it is one of the client's current secrets. Without it the export is
   * redacted: secrets are stored hashed and cannot be exported later.
   */
  secret: z.string().min(1).max(4096).optional(),
})
export type ExportClientInput = z.input<typeof exportClientInput>

export const exportIssuerInput = z.object({ format: z.enum(EXPORT_FORMATS) })

/** One file of an export: what the CLI writes (0600 when it holds a secret) and the console saves. */
export interface ExportedFile {
  /** A file name, or a relative path inside an export directory (`secrets/clients/dps`). */
  path: string
  mediaType: string
  content: string
  /** Holds a client secret or a private key: written 0600, masked in the console's preview. */
  containsSecret: boolean
}

/** One export in one format, with what the reader still has to fill in. */
export interface ExportedDocument extends ExportedFile {
  format: ExportFormat
  /** The secret is left out (redacted): it is stored hashed, or was not given. */
  redacted: boolean
  /** Values the console does not know and the reader must fill in, by field path. */
  placeholders: string[]
  /** Where the document goes and what it assumes, in words. */
  notes: string[]
}

export const exportsMethods = {
  'export.client': { input: exportClientInput, output: {} as ExportedDocument },
  'export.issuer': { input: exportIssuerInput, output: {} as ExportedDocument },
} as const
