import { hubAuthorization } from '../plgd/dps-records.js'
import { authorizationEndpoint } from '../plgd/hub-trust-snippet.js'
import { secondsFromNs } from '../plgd/plgd-json.js'
import {
  DPS_PROVIDER_NAME,
  deviceIdClaimFor,
  type ClientExportContext,
  type IssuerExportContext,
  type SecretRef,
} from './export-context.js'

/**
 * The plgd configuration shapes the exports write, each built once. The DPS API's hub
 * `authorization` comes from the setup's own builder (dps-records.ts); the service-YAML twin is
 * that object renamed field by field (interop §3.2's two columns), so the two cannot drift.
 */

/** DPS HTTP API `authorization` (§3.4): `clientId`, `clientSecret` as a URI scheme, ns strings. */
export function dpsApiAuthorization(ctx: ClientExportContext, ref: SecretRef) {
  return hubAuthorization({
    ownerClaim: ctx.ownerClaim,
    deviceIdClaim: deviceIdClaimFor(ctx),
    providerName: DPS_PROVIDER_NAME,
    issuer: ctx.issuer,
    issuerCaPem: ctx.caPem,
    clientId: ctx.client.id,
    clientSecretUri: ref.uri,
  })
}

const goDuration = (ns: string): string => `${secondsFromNs(ns)}s`

/** The same `authorization` in DPS's service-config YAML names (§3.2: `clientID`, `clientSecretFile`, …). */
export function dpsServiceAuthorization(ctx: ClientExportContext, ref: SecretRef) {
  const api = dpsApiAuthorization(ctx, ref)
  const { provider } = api
  return {
    ownerClaim: api.ownerClaim,
    deviceIDClaim: api.deviceIdClaim,
    provider: {
      name: provider.name,
      authority: provider.authority,
      clientID: provider.clientId,
      clientSecretFile: provider.clientSecret,
      scopes: provider.scopes,
      audience: provider.audience,
      http: serviceHttp(api.provider.http),
    },
  }
}

type ApiHttp = ReturnType<typeof dpsApiAuthorization>['provider']['http']

function serviceHttp(http: ApiHttp) {
  return {
    maxIdleConns: http.maxIdleConns,
    maxConnsPerHost: http.maxConnsPerHost,
    maxIdleConnsPerHost: http.maxIdleConnsPerHost,
    idleConnTimeout: goDuration(http.idleConnTimeout),
    timeout: goDuration(http.timeout),
    tls: { caPool: http.tls.caPool, useSystemCAPool: http.tls.useSystemCaPool },
  }
}

/** Where coap-gateway would send a user's browser; unused by `clientCredentials`, required by the chart. */
export const REDIRECT_URL_PLACEHOLDER = 'https://HUB_DOMAIN/things'

/** A coap-gateway `apis.coap.authorization.providers[]` entry for DPS tokens (§3.6, §7.2). */
export function coapGatewayProvider(ctx: ClientExportContext, ref: SecretRef) {
  const dps = dpsServiceAuthorization(ctx, ref).provider
  return {
    name: dps.name,
    clientID: dps.clientID,
    clientSecretFile: dps.clientSecretFile,
    grantType: 'clientCredentials',
    scopes: dps.scopes,
    audience: dps.audience,
    redirectURL: REDIRECT_URL_PLACEHOLDER,
    authority: dps.authority,
    http: dps.http,
  }
}

/** A hub service's `authorization` block trusting this issuer (§2.1). */
export function hubServiceAuthorization(ctx: IssuerExportContext) {
  return {
    ownerClaim: ctx.ownerClaim,
    audience: '',
    endpoints: [authorizationEndpoint({ authority: ctx.issuer, caPem: ctx.caPem })],
    tokenTrustVerification: { cacheExpiration: '30s' },
  }
}
