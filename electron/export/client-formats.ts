import type { ExportFormat, ExportedDocument } from '../../shared/contract/index.js'
import { tokenRequestCommand, assertionFile, CURL_CA_FILE } from './curl-command.js'
import { envFile } from './env-file.js'
import {
  exportedDocument,
  jsonText,
  JSON_MEDIA_TYPE,
  redactionNotes,
  secretRef,
  yamlText,
  YAML_MEDIA_TYPE,
  type ClientExportContext,
  type SecretRef,
} from './export-context.js'
import { CLIENT_HELM_NOTES, clientHelmValues } from './helm-values.js'
import { exportIssuer, issuerEnv, issuerJson } from './issuer-formats.js'
import { k8sSecret } from './k8s-secret.js'
import {
  coapGatewayProvider,
  dpsApiAuthorization,
  dpsServiceAuthorization,
} from './service-shapes.js'

/**
 * A client's credentials in one format. Redacted unless `ctx.secret` is given (the caller has
 * checked it is a current secret): then the secret is inline, `data:,<URL-escaped>` where plgd
 * reads a URI scheme.
 */
export function exportClient(ctx: ClientExportContext, format: ExportFormat): ExportedDocument {
  const ref = secretRef(ctx)
  const withSecret = ref.inline !== null
  const secretPlaceholders = (fieldPath: string): string[] =>
    ref.usesSecret && !withSecret ? [fieldPath] : []
  const base = {
    containsSecret: withSecret,
    redacted: ref.usesSecret && !withSecret,
    notes: redactionNotes(ctx, ref),
  }
  const id = ctx.client.id
  switch (format) {
    case 'json':
      return exportedDocument(format, {
        ...base,
        path: `${id}.json`,
        mediaType: JSON_MEDIA_TYPE,
        content: jsonText(clientJson(ctx, ref)),
        placeholders: secretPlaceholders('clientSecretFile'),
      })
    case 'env':
      return exportedDocument(format, {
        ...base,
        path: `${id}.env`,
        mediaType: 'text/plain',
        content: envFile(clientEnv(ctx, ref), base.notes),
        placeholders: secretPlaceholders('PLGD_M2M_CLIENT_SECRET_FILE'),
      })
    case 'curl':
      return exportedDocument(format, {
        ...base,
        path: `${id}-token.sh`,
        mediaType: 'application/x-sh',
        content: tokenRequestCommand(ctx, ref),
        placeholders: [
          ...secretPlaceholders(ref.file),
          ...(ref.usesSecret ? [] : [assertionFile(ctx)]),
          ...(ctx.caPem ? [CURL_CA_FILE] : []),
        ],
        notes: [
          ...base.notes,
          ...(ctx.caPem
            ? [`save the console CA (caPem of \`export issuer --format json\`) as ${CURL_CA_FILE}`]
            : []),
        ],
      })
    case 'dps-yaml': {
      const notes = [
        "DPS service config: a hub's `authorization` (enrollmentGroups[].hub or hubs[]); DPS fetches tokens from this issuer with it",
        ...base.notes,
      ]
      return exportedDocument(format, {
        ...base,
        notes,
        path: `${id}-dps.yaml`,
        mediaType: YAML_MEDIA_TYPE,
        content: yamlText({ authorization: dpsServiceAuthorization(ctx, ref) }, notes),
        placeholders: secretPlaceholders('authorization.provider.clientSecretFile'),
      })
    }
    case 'dps-json':
      return exportedDocument(format, {
        ...base,
        notes: [
          "the `authorization` of a hub for DPS's HTTP API (POST/PUT /api/v1/hubs)",
          ...base.notes,
        ],
        path: `${id}-dps.json`,
        mediaType: JSON_MEDIA_TYPE,
        content: jsonText({ authorization: dpsApiAuthorization(ctx, ref) }),
        placeholders: secretPlaceholders('authorization.provider.clientSecret'),
      })
    case 'coap-gateway-yaml': {
      const notes = [
        'coap-gateway service config: a provider for DPS tokens; add it to apis.coap.authorization.providers',
        'redirectURL is not used by clientCredentials; set it to the hub address (the chart requires one)',
        ...base.notes,
      ]
      const path = 'apis.coap.authorization.providers[0]'
      return exportedDocument(format, {
        ...base,
        notes,
        path: `${id}-coap-gateway.yaml`,
        mediaType: YAML_MEDIA_TYPE,
        content: yamlText(
          { apis: { coap: { authorization: { providers: [coapGatewayProvider(ctx, ref)] } } } },
          notes,
        ),
        placeholders: [`${path}.redirectURL`, ...secretPlaceholders(`${path}.clientSecretFile`)],
      })
    }
    case 'hub-authorization-yaml':
      // Nothing of the client in it: the issuer's own document.
      return exportIssuer(ctx, format)
    case 'helm-values': {
      const { values, placeholders } = clientHelmValues(ctx, ref)
      const notes = [...CLIENT_HELM_NOTES, ...base.notes]
      return exportedDocument(format, {
        ...base,
        notes,
        path: `${id}-values.yaml`,
        mediaType: YAML_MEDIA_TYPE,
        content: yamlText(values, notes),
        placeholders,
      })
    }
    case 'k8s-secret': {
      const data: Record<string, string> = { 'client-id': id }
      if (ref.inline !== null) data['client-secret'] = ref.inline
      if (ctx.caPem) data['ca.crt'] = ctx.caPem
      const manifest = k8sSecret(`plgd-m2m-${id}`, data)
      const notes = [
        ...base.notes,
        ...(ref.usesSecret && !withSecret
          ? [
              `data.client-secret is left out: create the Secret with \`kubectl create secret generic ${manifest.metadata.name} --from-literal=client-id=${id} --from-file=client-secret=FILE\` instead`,
            ]
          : []),
      ]
      return exportedDocument(format, {
        ...base,
        notes,
        path: `${id}-secret.yaml`,
        mediaType: YAML_MEDIA_TYPE,
        content: yamlText(manifest, notes),
        placeholders: secretPlaceholders('data.client-secret'),
      })
    }
  }
}

function clientJson(ctx: ClientExportContext, ref: SecretRef) {
  const { ownerClaim, deviceIdClaim, caPem, ...endpoints } = issuerJson(ctx)
  return {
    ...endpoints,
    clientId: ctx.client.id,
    authMethod: ctx.client.auth.method,
    ...(ref.usesSecret
      ? ref.inline === null
        ? { clientSecretFile: ref.file }
        : { clientSecret: ref.inline }
      : {}),
    owner: ctx.client.owner,
    audiences: ctx.client.audiences,
    scopes: ctx.client.scopes,
    maxLifetimeSeconds: ctx.client.maxLifetimeSeconds,
    ownerClaim,
    deviceIdClaim: ctx.client.allowDeviceId ? deviceIdClaim : '',
    caPem,
  }
}

function clientEnv(ctx: ClientExportContext, ref: SecretRef): Record<string, string> {
  const { PLGD_M2M_DEVICE_ID_CLAIM, ...issuer } = issuerEnv(ctx)
  return {
    PLGD_M2M_CLIENT_ID: ctx.client.id,
    ...(ref.usesSecret
      ? ref.inline === null
        ? { PLGD_M2M_CLIENT_SECRET_FILE: ref.file }
        : { PLGD_M2M_CLIENT_SECRET: ref.inline }
      : {}),
    ...issuer,
    ...(ctx.client.allowDeviceId && PLGD_M2M_DEVICE_ID_CLAIM ? { PLGD_M2M_DEVICE_ID_CLAIM } : {}),
  }
}
