import {
  CLIENT_ONLY_FORMATS,
  type ExportFormat,
  type ExportedDocument,
} from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import { dataUri } from '../plgd/plgd-json.js'
import { CURL_CA_FILE, discoveryCommand } from './curl-command.js'
import { envFile } from './env-file.js'
import {
  exportedDocument,
  jsonText,
  JSON_MEDIA_TYPE,
  yamlText,
  YAML_MEDIA_TYPE,
  type IssuerExportContext,
} from './export-context.js'
import { ISSUER_HELM_NOTES, issuerHelmValues } from './helm-values.js'
import { k8sSecret } from './k8s-secret.js'
import { hubServiceAuthorization } from './service-shapes.js'

/** The Secret name of the console CA in a cluster. */
export const CA_SECRET_NAME = 'plgd-m2m-console-ca'

/**
 * The issuer's trust material in one format: the authority, its endpoints, the console CA and
 * the claim names. Nothing in it is secret. A format that describes a client is refused.
 */
export function exportIssuer(ctx: IssuerExportContext, format: ExportFormat): ExportedDocument {
  if ((CLIENT_ONLY_FORMATS as readonly string[]).includes(format)) {
    throw new AppError(
      'invalid_input',
      `${format} describes a client's credentials, not the issuer: use \`export client ID --format ${format}\``,
    )
  }
  const base = { containsSecret: false, redacted: false }
  const noCa = ctx.caPem
    ? []
    : ['the console has no CA yet: start the issuer once (`serve`), then export again']
  switch (format) {
    case 'json':
      return exportedDocument(format, {
        ...base,
        notes: noCa,
        path: 'issuer.json',
        mediaType: JSON_MEDIA_TYPE,
        content: jsonText(issuerJson(ctx)),
      })
    case 'env':
      return exportedDocument(format, {
        ...base,
        notes: noCa,
        path: 'issuer.env',
        mediaType: 'text/plain',
        content: envFile(issuerEnv(ctx), noCa),
      })
    case 'curl':
      return exportedDocument(format, {
        ...base,
        notes: [
          ...noCa,
          ...(ctx.caPem
            ? [`save the console CA (caPem of the json format) as ${CURL_CA_FILE}`]
            : []),
        ],
        path: 'issuer-discovery.sh',
        mediaType: 'application/x-sh',
        content: discoveryCommand(ctx),
        placeholders: ctx.caPem ? [CURL_CA_FILE] : [],
      })
    case 'hub-authorization-yaml': {
      const notes = [...hubAuthorizationNotes(), ...noCa]
      return exportedDocument(format, {
        ...base,
        notes,
        path: 'hub-authorization.yaml',
        mediaType: YAML_MEDIA_TYPE,
        content: yamlText({ authorization: hubServiceAuthorization(ctx) }, notes),
      })
    }
    case 'helm-values': {
      const notes = [...ISSUER_HELM_NOTES, ...noCa]
      return exportedDocument(format, {
        ...base,
        notes,
        path: 'issuer-values.yaml',
        mediaType: YAML_MEDIA_TYPE,
        content: yamlText(issuerHelmValues(ctx), notes),
      })
    }
    case 'k8s-secret': {
      const notes = [
        'the console CA for services that mount it (not secret, but kept with the credentials)',
        ...noCa,
      ]
      return exportedDocument(format, {
        ...base,
        notes,
        path: 'issuer-ca-secret.yaml',
        mediaType: YAML_MEDIA_TYPE,
        content: yamlText(
          k8sSecret(CA_SECRET_NAME, ctx.caPem ? { 'ca.crt': ctx.caPem } : {}),
          notes,
        ),
      })
    }
    default:
      // CLIENT_ONLY_FORMATS were refused above.
      throw new AppError('invalid_input', `unknown export format ${format}`)
  }
}

export function hubAuthorizationNotes(): string[] {
  return [
    "every hub service that validates this issuer's tokens (grpc-gateway, http-gateway, DPS, snippet-service, certificate-authority, coap-gateway): add the endpoint to its `authorization`",
    'ownerClaim belongs to the gRPC-side, DPS, snippet-service and certificate-authority blocks, not to http-gateway',
  ]
}

/** The issuer's facts as the json format and a client's json share them. */
export function issuerJson(ctx: IssuerExportContext) {
  return {
    issuer: ctx.issuer,
    tokenEndpoint: ctx.tokenEndpoint,
    jwksUri: ctx.jwksUri,
    ownerClaim: ctx.ownerClaim,
    deviceIdClaim: ctx.deviceIdClaim,
    caPem: ctx.caPem,
  }
}

/** The issuer's `.env` entries; the CA as one line, the URI scheme plgd's caPool reads. */
export function issuerEnv(ctx: IssuerExportContext): Record<string, string> {
  return {
    PLGD_M2M_ISSUER: ctx.issuer,
    PLGD_M2M_TOKEN_ENDPOINT: ctx.tokenEndpoint,
    PLGD_M2M_JWKS_URI: ctx.jwksUri,
    PLGD_M2M_OWNER_CLAIM: ctx.ownerClaim,
    ...(ctx.deviceIdClaim ? { PLGD_M2M_DEVICE_ID_CLAIM: ctx.deviceIdClaim } : {}),
    ...(ctx.caPem ? { PLGD_M2M_CA_POOL: dataUri(ctx.caPem) } : {}),
  }
}
