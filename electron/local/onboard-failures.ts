import type { OnboardFailurePlace, ProvisioningStepView } from '../../shared/contract/index.js'
import { httpStatusOf } from '../plgd/device-failures.js'
import { coapGatewayProviderSnippet } from '../plgd/dps-checklist.js'
import { authorizationEndpointSnippet } from '../plgd/hub-trust-snippet.js'

/**
 * Why a device could not be pointed at DPS or onboarded, as the technician must read it: where
 * it failed (the device, client-application, DPS, the token, the hub), the cause and the fix.
 */
export class OnboardFailure extends Error {
  override readonly name = 'OnboardFailure'
  constructor(
    readonly place: OnboardFailurePlace,
    message: string,
    /** YAML the hub admin must add, when that is the fix. */
    readonly snippet?: string,
  ) {
    super(message)
  }
}

/** The failure without a generic fix of the client (PlgdError.detail), else the message. */
function detailOf(err: unknown): string {
  const own = (err as { detail?: unknown } | null)?.detail
  if (typeof own === 'string' && own !== '') return own
  return err instanceof Error ? err.message : String(err)
}

const discoverHint = (url: string): string =>
  `run \`local discover --client-app ${url}\` (with \`--ip ADDR\` for a device that does not answer multicast), then try again`

/** A failed call to client-application about one device, named by what the answer means. */
export function explainClientAppCall(
  err: unknown,
  scope: { url: string; deviceId: string; action: string },
): OnboardFailure {
  const { url, deviceId, action } = scope
  const detail = detailOf(err)
  const status = httpStatusOf(err)
  if (/not owned|is unowned|own(ed)? (it|the device) first/i.test(detail) || status === 403) {
    return new OnboardFailure(
      'device',
      `${action}: device ${deviceId} is not owned by this client-application (${detail}): own it first: \`local own ${deviceId}\``,
    )
  }
  if (/not initiali[sz]ed/i.test(detail)) {
    return new OnboardFailure(
      'client-application',
      `${action}: client-application at ${url} is not initialized (${detail}): \`local init --owner OWNER\`, then own the device and try again`,
    )
  }
  if (status === 404) {
    return new OnboardFailure(
      'client-application',
      `${action}: client-application at ${url} does not know device ${deviceId} (${detail}): ${discoverHint(url)}`,
    )
  }
  if (status === 401) {
    return new OnboardFailure(
      'client-application',
      `${action}: client-application at ${url} refused the console's token (${detail}): \`local status\` tells why; \`local init\` again if it was reset`,
    )
  }
  if (status === undefined) {
    // No answer at all: the client names the layer (connection refused, timeout…).
    return new OnboardFailure(
      'client-application',
      `${action}: client-application at ${url} did not answer (${detail}): start it, or give \`--client-app URL\` (\`settings set --client-app URL\`)`,
    )
  }
  return new OnboardFailure('client-application', `${action}: ${detail}`)
}

/** An unowned device: nothing else can be done with it. */
export function notOwned(deviceId: string, ownership: string): OnboardFailure {
  return new OnboardFailure(
    'device',
    `device ${deviceId} is ${ownership.toLowerCase()}, not owned by this client-application: own it first: \`local own ${deviceId}\``,
  )
}

/** The hub profile has no address devices reach DPS at. */
export function missingDpsEndpoint(hub: string): string {
  return `hub ${hub} has no DPS device address (where devices reach DPS): set it with \`hubs update ${hub} --dps-endpoint coaps+tcp://HOST:15684\``
}

/**
 * Where a failed DPS step points the technician: the token (owner or device-id claims, an
 * issuer the certificate-authority does not trust, a secret DPS holds no more), the hub
 * (coap-gateway refused the sign-up), else DPS itself.
 */
export function dpsFailurePlace(message: string): OnboardFailurePlace {
  if (/coap-gateway/i.test(message)) return 'hub'
  if (
    /owner|device.?id|\b401\b|unauthori[sz]ed|unauthenticated|invalid_client|cannot fetch token|invalid token|unknown issuer/i.test(
      message,
    )
  )
    return 'token'
  return 'dps'
}

/**
 * plgd's DPS client error codes (`lastErrorCode` of x.plgd.dps.conf, plgd_dps_error_t): what
 * the device says went wrong on its side.
 */
const DPS_DEVICE_ERRORS: Record<number, string> = {
  1: 'DPS answered with an error',
  2: 'it cannot connect to DPS',
  3: 'getting its identity credentials failed',
  4: 'getting its access control lists failed',
  5: 'setting its cloud configuration failed',
  6: 'starting its cloud connection failed',
  7: 'getting its owner failed',
}

/**
 * A device whose DPS client reports a failure that DPS's record does not explain: before DPS
 * recorded anything of it (it did not get as far), or while the record shows no failed step.
 */
export function explainDeviceDpsFailure(ctx: {
  deviceId: string
  status: string
  lastErrorCode: number | null
  endpoint: string
  hub: string
  /** DPS's steps when it has a record of the device; undefined when it has none. */
  steps?: ProvisioningStepView[] | undefined
}): string {
  const code = ctx.lastErrorCode
  const said = code ? (DPS_DEVICE_ERRORS[code] ?? `error code ${code}`) : 'no error code'
  const reports = `device ${ctx.deviceId} reports "${ctx.status}" (${said}${code ? `, lastErrorCode ${code}` : ''})`
  if (ctx.steps) {
    return `${reports} while DPS's record shows ${stepsSummary(ctx.steps)}: the device gave up on a step DPS did not fail. Check that it stays online and reaches ${ctx.endpoint}, then point it at DPS again (\`dps watch --hub ${ctx.hub}\` follows DPS's side)`
  }
  const head = `${reports} and DPS has no record of it`
  if (code === 2) {
    return `${head}: it cannot reach DPS at ${ctx.endpoint}. Check the address (\`hubs show ${ctx.hub}\`; \`hubs update ${ctx.hub} --dps-endpoint coaps+tcp://HOST:15684\`) and that the device's network reaches that host and port`
  }
  return `${head}: DPS at ${ctx.endpoint} refused it. Its manufacturer certificate must chain to an enrollment group's (\`dps setup --hub ${ctx.hub} --group NAME --certificate-chain FILE\`); if it does, check the address (\`hubs show ${ctx.hub}\`) and the device's network`
}

function stepsSummary(steps: ProvisioningStepView[] | undefined): string {
  if (!steps) return 'DPS records not read'
  return steps.map((s) => `${s.step} ${s.state}`).join(', ')
}

/** A device not provisioned in time: what it and DPS showed last. */
export function explainPointTimeout(ctx: {
  deviceId: string
  hub: string
  seconds: number
  deviceStatus: string | null
  recordSeen: boolean
  steps: ProvisioningStepView[] | undefined
  dpsProblem: string | null
  endpoint: string
}): string {
  const device = ctx.deviceStatus
    ? `the device last said "${ctx.deviceStatus}"`
    : 'the device status could not be read'
  const dps = ctx.dpsProblem
    ? `DPS records could not be read (${ctx.dpsProblem})`
    : ctx.recordSeen
      ? `DPS: ${stepsSummary(ctx.steps)}`
      : 'DPS has no record of it'
  const hint = ctx.recordSeen
    ? 'it reached DPS, so check that it stays online; `dps watch` goes on following it'
    : `check that the device reaches ${ctx.endpoint} and that its manufacturer certificate chains to an enrollment group (\`dps checklist --hub ${ctx.hub}\`)`
  return `device ${ctx.deviceId} was not provisioned within ${ctx.seconds} s: ${device}; ${dps}: ${hint}`
}

/** iotivity-lite's cloud error codes (`clec` of oic.r.coapcloudconf). */
export const CLOUD_ERRORS: Record<number, string> = {
  1: 'coap-gateway answered with an error',
  2: 'it cannot connect to coap-gateway',
  4: 'coap-gateway refused its token (unauthorized)',
}

export interface CloudFailureContext {
  deviceId: string
  hub: string
  hubId: string
  coapGateway: string
  providerName: string
  clientId: string
  /** Our issuer's authority and CA (null before TLS), and the claims the hub reads. */
  issuer: string
  issuerCaPem: string | null
  /** The authority the hub's own services trust (hub-configuration `authority`). */
  hubAuthority: string
  ownerClaim: string
  deviceIdClaim: string
  owner: string
}

/** A device whose sign-up at coap-gateway failed (`cps` failed), by its `clec`. */
export function explainCloudFailure(ctx: CloudFailureContext, clec: number | null): OnboardFailure {
  const said = clec ? (CLOUD_ERRORS[clec] ?? `error code ${clec}`) : 'no error code'
  const head = `device ${ctx.deviceId} failed to register at coap-gateway ${ctx.coapGateway} (${said}${clec ? `, clec ${clec}` : ''})`
  if (clec === 2) {
    return new OnboardFailure(
      'device',
      `${head}: the device cannot reach coap-gateway at ${ctx.coapGateway}. Check that its network reaches that host and port; the address is hub ${ctx.hub}'s coapGateway (\`hubs show ${ctx.hub}\`; rediscover with \`hubs update ${ctx.hub} --rediscover\` if the hub moved)`,
    )
  }
  if (clec === 4) {
    const provider = coapGatewayProviderSnippet({
      ownerClaim: ctx.ownerClaim,
      deviceIdClaim: ctx.deviceIdClaim,
      providerName: ctx.providerName,
      issuer: ctx.issuer,
      issuerCaPem: ctx.issuerCaPem,
    })
    const ours = sameAuthority(ctx.hubAuthority, ctx.issuer)
    const snippet = ours
      ? provider
      : `${provider}---\n${authorizationEndpointSnippet({ authority: ctx.issuer, caPem: ctx.issuerCaPem })}`
    return new OnboardFailure(
      'token',
      `${head}: coap-gateway's provider "${ctx.providerName}" does not accept tokens of this issuer (${ctx.issuer}) for client ${ctx.clientId} and owner ${ctx.owner}. The hub admin adds a provider of that name with grantType clientCredentials and this issuer as authority${ours ? '' : ", and this issuer to coap-gateway's authorization.endpoints"} (YAML below), or give \`--provider NAME\` of a provider that has it`,
      snippet,
    )
  }
  return new OnboardFailure(
    'hub',
    `${head}: coap-gateway refused the sign-up. Check that the device trusts the hub's CA and that hub id ${ctx.hubId} is this hub's (\`hubs check ${ctx.hub}\`), then onboard again`,
  )
}

function sameAuthority(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '')
}

/** A token the issuer would not mint for this device (the client's owner policy, say). */
export function explainMintFailure(
  err: unknown,
  ctx: { clientId: string; owner: string; deviceId: string },
): OnboardFailure {
  const message = err instanceof Error ? err.message : String(err)
  const { clientId, owner, deviceId } = ctx
  if (/owner .* is not allowed/i.test(message)) {
    return new OnboardFailure(
      'token',
      `client ${clientId} may not mint tokens for owner ${owner}, the client-application's device owner (${message}): let this client mint for it (\`clients update ${clientId} --allowed-owner ${owner}\`, repeating its other allowed owners: the list is replaced), or use a client whose owner is ${owner} (\`clients add --id ID --owner ${owner}\`) and give it as \`--client\``,
    )
  }
  if (/device id/i.test(message)) {
    return new OnboardFailure(
      'token',
      `client ${clientId} may not put device id ${deviceId} in its tokens (${message}), and the hub reads a device-id claim: use a client added with \`--allow-device-id\` as \`--client\``,
    )
  }
  if (/disabled/i.test(message)) {
    return new OnboardFailure(
      'token',
      `client ${clientId} is disabled (${message}): \`clients enable ${clientId}\`, or give another \`--client\``,
    )
  }
  return new OnboardFailure('token', `minting the token for device ${deviceId} failed: ${message}`)
}
