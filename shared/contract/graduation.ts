import { z } from 'zod'
import { MAX_LIFETIME_CAP_SECONDS } from '../constants.js'
import { httpsUrl } from './common.js'
import type { ExportedFile } from './exports.js'

/**
 * Beyond one laptop: the static issuer bundle (discovery and JWKS to host elsewhere), graduation
 * to plgd's m2m-oauth-server, and import from it (interop §1.11, §1.12, §7.1).
 */

export const exportBundleInput = z.object({
  /** Where hubs will read the files (the issuer URL tokens carry as `iss`); the issuer's own by default. */
  authority: httpsUrl.optional(),
  /**
   * An absolute directory main writes the bundle into and re-writes whenever the keys rotate.
   * Only the CLI may name one (the console downloads the files instead).
   */
  keepUpdatedIn: z.string().min(1).max(4096).optional(),
  /** Stop re-writing the bundle on key rotation. */
  stopUpdating: z.boolean().default(false),
})

export interface IssuerBundle {
  authority: string
  /** Paths relative to the web server's root, as the authority's path lays them out. */
  files: ExportedFile[]
  /** The directory re-written when keys rotate, if any. */
  keptUpdatedIn: string | null
  notes: string[]
}

export const exportPlgdInput = z.object({
  /** Write the signing key's PEM too: needs this explicit flag, CLI only, audited. */
  includePrivateKey: z.boolean().default(false),
  /** How long each client's current secret keeps working after graduation rotates it. */
  graceSeconds: z.number().int().min(0).max(MAX_LIFETIME_CAP_SECONDS).default(86_400),
  /** `oauthSigner.domain` of the new server (host[:port]); the issuer's own host by default. */
  domain: z.string().min(1).max(255).optional(),
  /** Where the pod mounts the key and the secret files (`privateKeyFile`, `secretFile`). */
  mountPath: z.string().startsWith('/').default('/secrets'),
})

/** What graduation did with each client: plgd has no secret to copy, so it rotates, keeps or skips. */
export interface GraduatedClient {
  id: string
  outcome: 'rotated' | 'kept' | 'skipped'
  /** Why, in words: e.g. a private_key_jwt client has no plgd equivalent. */
  reason: string
  /** Policy fields plgd's config cannot hold (kept in the console's sidecar file for import). */
  notInPlgd: string[]
}

export interface PlgdGraduation {
  files: ExportedFile[]
  clients: GraduatedClient[]
  key: {
    kid: string
    /** The kid plgd's server derives from the same key (UUIDv5 of its public key). */
    plgdKid: string
    /** Tokens already issued verify against the new server's JWKS: the kids match. */
    kidKept: boolean
    privateKeyIncluded: boolean
  }
  notes: string[]
}

export const importPlgdInput = z.object({
  /** The m2m-oauth-server `config.yaml`. */
  configYaml: z
    .string()
    .min(1)
    .max(1024 * 1024),
  /**
   * Contents of the files the config names (`privateKeyFile`, `secretFile`, `caPool`), by the
   * reference as written in it. `data:` references need no entry.
   */
  files: z.record(z.string(), z.string().max(1024 * 1024)).default({}),
  /** The console's sidecar from `export plgd` (policies plgd cannot hold), when present. */
  sidecarJson: z
    .string()
    .max(1024 * 1024)
    .optional(),
  /** Sign with the imported key at once (default), or publish it as the next key. */
  activate: z.boolean().default(true),
})

export const plgdReferencesInput = importPlgdInput.pick({ configYaml: true })

/** A file a plgd config names, as written there, and which field names it. */
export interface PlgdReference {
  reference: string
  what: string
}

export interface PlgdImport {
  clients: { id: string; outcome: 'added' | 'skipped'; reason?: string }[]
  key: { kid: string; alg: string; activated: boolean } | null
  claims: { ownerClaim: string; deviceIdClaim: string }
  notes: string[]
}

export const graduationMethods = {
  'export.bundle': { input: exportBundleInput, output: {} as IssuerBundle },
  'export.plgd': { input: exportPlgdInput, output: {} as PlgdGraduation },
  'import.plgdReferences': {
    input: plgdReferencesInput,
    output: {} as { references: PlgdReference[] },
  },
  'import.plgd': { input: importPlgdInput, output: {} as PlgdImport },
} as const
