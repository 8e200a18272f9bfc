import { Document } from 'yaml'
import type { ClientView, ExportFormat, ExportedDocument } from '../../shared/contract/index.js'
import { literalDataUri } from '../plgd/dps-records.js'

/** What every issuer export names: the authority, its endpoints, its CA and its claims. */
export interface IssuerExportContext {
  /** `app.urls().issuer`: https://host:port/m2m-oauth-server */
  issuer: string
  tokenEndpoint: string
  jwksUri: string
  /** The console CA (ca.pem in the data directory); null before the issuer first started. */
  caPem: string | null
  ownerClaim: string
  deviceIdClaim: string
}

export type ExportedClient = Pick<
  ClientView,
  'id' | 'owner' | 'auth' | 'audiences' | 'scopes' | 'allowDeviceId' | 'maxLifetimeSeconds'
>

/** A client export: the issuer's facts, the client, and its secret only at the one-time hand-off. */
export interface ClientExportContext extends IssuerExportContext {
  client: ExportedClient
  /** Checked by the caller to be a current secret of the client; absent: redacted. */
  secret?: string
}

/** The provider name coap-gateway and DPS know tokens of this issuer by (as `dps setup`). */
export const DPS_PROVIDER_NAME = 'plgd.dps'

/** Where the Helm chart mounts `global.extraCAPool.authorization` in every service (interop §7.1). */
export const CHART_AUTHORIZATION_CA_PATH = '/certs/extra/authorization/ca.crt'

/**
 * How a document carries the client's credential: inline at the one-time hand-off, else as a
 * file the reader must create. A path is what plgd reads when the file is missing: it fails
 * with "open …: no such file" instead of accepting a made-up secret.
 */
export interface SecretRef {
  /** The secret itself, or null when redacted. */
  inline: string | null
  /** `/secrets/<clientId>/client-secret`: the file to create when redacted. */
  file: string
  /** The URI-scheme value plgd reads: `data:,<URL-escaped secret>` or the file path. */
  uri: string
  /** The client authenticates with a secret at all (not private_key_jwt or a user assertion). */
  usesSecret: boolean
}

export function secretRef(ctx: ClientExportContext): SecretRef {
  const file = `/secrets/${ctx.client.id}/client-secret`
  const usesSecret = ctx.client.auth.method === 'client_secret'
  const inline = usesSecret ? (ctx.secret ?? null) : null
  return { inline, file, uri: inline === null ? file : literalDataUri(inline), usesSecret }
}

/** The note every redacted document carries, naming the file and how to get a secret into it. */
export function redactionNotes(ctx: ClientExportContext, ref: SecretRef): string[] {
  if (!ref.usesSecret) {
    return [
      `client ${ctx.client.id} authenticates with ${ctx.client.auth.method}, not a secret: ` +
        'a service that needs a client secret cannot use it; create a client_secret client for it',
    ]
  }
  if (ref.inline !== null) {
    return ['holds the client secret: keep the file private (0600) and delete it once used']
  }
  return [
    `redacted: the secret is read from ${ref.file}; put the secret there (secrets are stored ` +
      `hashed, so a new one comes from \`clients rotate-secret ${ctx.client.id} --grace 1h --export FORMAT --out FILE\`)`,
  ]
}

/** The device-id claim name when this client may set it; plgd's DPS sends it with every request. */
export function deviceIdClaimFor(ctx: ClientExportContext): string {
  return ctx.client.allowDeviceId ? ctx.deviceIdClaim : ''
}

export interface DocumentParts {
  path: string
  mediaType: string
  content: string
  containsSecret: boolean
  redacted: boolean
  placeholders?: string[]
  notes?: string[]
}

export function exportedDocument(format: ExportFormat, parts: DocumentParts): ExportedDocument {
  return {
    format,
    path: parts.path,
    mediaType: parts.mediaType,
    content: parts.content,
    containsSecret: parts.containsSecret,
    redacted: parts.redacted,
    placeholders: parts.placeholders ?? [],
    notes: parts.notes ?? [],
  }
}

export const YAML_MEDIA_TYPE = 'application/yaml'
export const JSON_MEDIA_TYPE = 'application/json'

/** YAML through the yaml package's Document API, the notes as a leading comment. */
export function yamlText(value: unknown, notes: readonly string[] = []): string {
  // No anchors and aliases for shared objects: every reader gets plain, repeated blocks.
  const doc = new Document(value, { aliasDuplicateObjects: false })
  if (notes.length > 0) doc.commentBefore = notes.map((n) => ` ${n}`).join('\n')
  return doc.toString({ lineWidth: 0 })
}

export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}
