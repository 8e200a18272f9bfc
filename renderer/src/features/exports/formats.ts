import {
  CLIENT_ONLY_FORMATS,
  EXPORT_FORMATS,
  type ExportFormat,
} from '../../../../shared/contract/index'

/** What each format is and where it goes, in one line. */
export const FORMAT_INFO: Record<ExportFormat, { label: string; description: string }> = {
  json: { label: 'JSON', description: 'Client id, secret and endpoints as one JSON object.' },
  env: { label: '.env', description: 'Environment variables for scripts and containers.' },
  curl: { label: 'curl', description: 'A curl command that asks the token endpoint for a token.' },
  'dps-yaml': {
    label: 'DPS (YAML)',
    description: 'The authorization.provider block of a DPS service config.',
  },
  'dps-json': {
    label: 'DPS (API JSON)',
    description: 'The authorization provider of an enrollment group, as DPS’s API takes it.',
  },
  'coap-gateway-yaml': {
    label: 'coap-gateway (YAML)',
    description: 'An authorization provider of the coap-gateway service config.',
  },
  'hub-authorization-yaml': {
    label: 'Hub authorization (YAML)',
    description: 'An authorization.endpoints entry with caPool, for the hub’s services.',
  },
  'helm-values': {
    label: 'Helm values',
    description: 'plgd chart values: global.authorization and the DPS enrollment group.',
  },
  'k8s-secret': {
    label: 'Kubernetes Secret',
    description: 'A Secret manifest (base64 data) to mount into a deployment.',
  },
}

const clientOnly: readonly string[] = CLIENT_ONLY_FORMATS

/** Formats `export.issuer` accepts: the issuer has no client credentials to describe. */
export const ISSUER_FORMATS: readonly ExportFormat[] = EXPORT_FORMATS.filter(
  (f) => !clientOnly.includes(f),
)
export const CLIENT_FORMATS: readonly ExportFormat[] = EXPORT_FORMATS
