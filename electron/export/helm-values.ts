import {
  CHART_AUTHORIZATION_CA_PATH,
  DPS_PROVIDER_NAME,
  deviceIdClaimFor,
  type ClientExportContext,
  type IssuerExportContext,
  type SecretRef,
} from './export-context.js'
import { coapGatewayProvider } from './service-shapes.js'

/**
 * plgd-hub chart values (interop §7): the chart's own key names, which differ from the service
 * YAML in places (the chart reads `deviceIdClaim` and renders `deviceIDClaim`; an enrollment
 * group's `clientSecret` is text the chart turns into a Secret).
 */

/** Values the console cannot know, spelt so that nobody mistakes them for real ones. */
export const HELM_PLACEHOLDERS = {
  groupId: 'ENROLLMENT_GROUP_UUID',
  hubId: 'HUB_ID',
  coapGateway: 'HUB_DOMAIN:5684',
  certificateChainFile: '/certs/manufacturer-ca-chain.pem',
  owner: 'OWNER',
} as const

const GROUP = 'deviceProvisioningService.enrollmentGroups[0]'
const COAP = 'coapgateway.apis.coap.authorization.providers[0]'

/** `global.*`: trust this issuer in every hub service; the CA goes in through `extraCAPool`. */
export function issuerHelmValues(ctx: IssuerExportContext) {
  const tls = ctx.caPem
    ? { useSystemCAPool: false, caPool: CHART_AUTHORIZATION_CA_PATH }
    : { useSystemCAPool: true }
  return {
    global: {
      ownerClaim: ctx.ownerClaim,
      ...(ctx.deviceIdClaim ? { deviceIdClaim: ctx.deviceIdClaim } : {}),
      authorization: {
        endpoints: [{ authority: ctx.issuer, http: { timeout: '10s', tls } }],
      },
      ...(ctx.caPem ? { extraCAPool: { authorization: ctx.caPem } } : {}),
    },
  }
}

export const ISSUER_HELM_NOTES = [
  'global.authorization.endpoints replaces the chart default list (the customer authority and the hub m2m-oauth-server): copy those entries in beside this one',
  `the console CA reaches every service through global.extraCAPool.authorization, mounted at ${CHART_AUTHORIZATION_CA_PATH}`,
]

/** The issuer's values plus a DPS enrollment group and a coap-gateway provider using this client. */
export function clientHelmValues(ctx: ClientExportContext, ref: SecretRef) {
  const http = {
    timeout: '10s',
    tls: ctx.caPem
      ? { caPool: CHART_AUTHORIZATION_CA_PATH, useSystemCAPool: false }
      : { useSystemCAPool: true },
  }
  const deviceIdClaim = deviceIdClaimFor(ctx)
  const coap = coapGatewayProvider(ctx, ref)
  const { clientSecretFile: _serviceSecret, ...coapRest } = coap
  const values = {
    ...issuerHelmValues(ctx),
    deviceProvisioningService: {
      enrollmentGroups: [
        {
          id: HELM_PLACEHOLDERS.groupId,
          owner: ctx.client.owner || HELM_PLACEHOLDERS.owner,
          name: `${ctx.client.id} devices`,
          attestationMechanism: {
            x509: { certificateChainFile: HELM_PLACEHOLDERS.certificateChainFile },
          },
          hub: {
            hubId: HELM_PLACEHOLDERS.hubId,
            coapGateway: HELM_PLACEHOLDERS.coapGateway,
            authorization: {
              ownerClaim: ctx.ownerClaim,
              ...(deviceIdClaim ? { deviceIdClaim } : {}),
              provider: {
                name: DPS_PROVIDER_NAME,
                authority: ctx.issuer,
                clientId: ctx.client.id,
                ...chartSecret(ref),
                scopes: [],
                audience: '',
                http,
              },
            },
          },
        },
      ],
    },
    coapgateway: {
      apis: {
        coap: { authorization: { providers: [{ ...coapRest, ...chartSecret(ref), http }] } },
      },
    },
  }
  const placeholders = [
    `${GROUP}.id`,
    `${GROUP}.attestationMechanism.x509.certificateChainFile`,
    `${GROUP}.hub.hubId`,
    `${GROUP}.hub.coapGateway`,
    `${COAP}.redirectURL`,
    ...(ctx.client.owner ? [] : [`${GROUP}.owner`]),
    ...(ref.inline === null && ref.usesSecret
      ? [`${GROUP}.hub.authorization.provider.clientSecretFile`, `${COAP}.clientSecretFile`]
      : []),
  ]
  return { values, placeholders }
}

/** The chart takes an inline secret as text (it makes the Secret), else a file path. */
function chartSecret(ref: SecretRef) {
  return ref.inline === null ? { clientSecretFile: ref.file } : { clientSecret: ref.inline }
}

export const CLIENT_HELM_NOTES = [
  ...ISSUER_HELM_NOTES,
  'the enrollment group owner must be the owner this client mints for (DPS reads it from the token)',
  `coap-gateway names this issuer's tokens by the provider name ${DPS_PROVIDER_NAME}; it usually has its own client that may mint for many owners`,
]
