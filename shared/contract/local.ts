import { z } from 'zod'
import { clientId, eventOf } from './common.js'
import { hubName } from './hubs.js'

/**
 * The devices in front of the technician, through plgd's client-application (interop §6): a
 * local service that does the device-to-device work (discovery, ownership, the DPS resource,
 * the cloud configuration). The console drives it with tokens from this issuer.
 */

/** Where client-application listens when neither the call nor the setting says otherwise. */
export const DEFAULT_CLIENT_APP_URL = 'http://localhost:8080'

export const clientAppUrl = z
  .string()
  .trim()
  .url('the client-application URL must look like http://localhost:8080')
  .refine((u) => /^https?:\/\//.test(u), 'the client-application URL must be http:// or https://')

/** Every local call: the client-application to use (the `clientApp.url` setting otherwise). */
const target = { clientAppUrl: clientAppUrl.optional() }

const localDeviceIds = z
  .array(z.string().trim().min(1).max(128))
  .min(1, 'give at least one device id')
  .max(10_000)

/** How client-application authenticates devices (GetConfigurationResponse). */
export const LOCAL_AUTH_MODES = ['PRE_SHARED_KEY', 'X509', 'UNINITIALIZED'] as const
export type LocalAuthMode = (typeof LOCAL_AUTH_MODES)[number]

/** Why a client-application cannot be used as it is; each with its fix in `message`. */
export const LOCAL_PROBLEMS = [
  'not_running',
  'not_initialized',
  'other_owner',
  'no_credentials',
  'unreachable_hub',
] as const
export type LocalProblem = (typeof LOCAL_PROBLEMS)[number]

export interface LocalStatus {
  url: string
  /** Answered `/.well-known/configuration`. */
  running: boolean
  initialized: boolean
  /** null when not running. */
  mode: LocalAuthMode | null
  /** `remoteProvisioning` as published (X509 mode), the parts the console uses. */
  remoteProvisioning: {
    mode: 'MODE_NONE' | 'USER_AGENT'
    authority: string | null
    hubId: string | null
    coapGateway: string | null
    certificateAuthority: string | null
    jwtOwnerClaim: string | null
  } | null
  /** The owner client-application reports. */
  owner: string | null
  /** What this console initialised it with; null when it did not. */
  ours: {
    mode: 'PRE_SHARED_KEY' | 'X509'
    owner: string
    /** X509: the client of our issuer whose tokens authorise its calls. */
    clientId: string | null
    /** X509 with remote provisioning: the hub whose certificate-authority signs its CSRs. */
    hub: string | null
    initializedAt: number
  } | null
  version: string | null
  /** Discovery's default when a call gives none. */
  defaultDiscoveryTimeoutSeconds: number
  /** Empty when ready; otherwise why not, each naming the fix. */
  problems: { problem: LocalProblem; message: string }[]
}

export const localStatusInput = z.object(target)

export const localInitInput = z.object({
  ...target,
  /**
   * The device owner: PSK mode's subject id; X509 mode's owner claim (the client's tokens must
   * carry it). Devices owned through this client-application belong to it.
   */
  owner: z.string().trim().min(1, 'the owner is required').max(256),
  /** X509 mode: the client of this issuer whose tokens client-application will accept. */
  clientId: clientId.optional(),
  /** X509 with remote provisioning: the hub profile whose certificate-authority signs the CSR. */
  hub: hubName.optional(),
  /** Reset first when client-application was initialised by another owner. */
  force: z.boolean().default(false),
})
export type LocalInitInput = z.input<typeof localInitInput>

/** A device as client-application discovers it. */
export interface LocalDeviceView {
  id: string
  name: string
  types: string[]
  ownershipStatus: 'UNKNOWN' | 'UNOWNED' | 'OWNED' | 'UNSUPPORTED'
  endpoints: string[]
  manufacturer: string | null
  model: string | null
}

export const localDiscoverInput = z.object({
  ...target,
  /** Unicast discovery: `host[:port]` (IPv4, [IPv6] or a name). */
  ips: z
    .array(
      z
        .string()
        .trim()
        .min(1)
        .max(262)
        .regex(/^[^\s/]+$/, 'an address is host or host:port, without a scheme or a path'),
    )
    .max(256)
    .default([]),
  /** Multicast; default IPv4 when no address is given, none when some are. */
  multicast: z.array(z.enum(['IPV4', 'IPV6'])).optional(),
  ownership: z.enum(['UNOWNED', 'OWNED']).optional(),
  types: z.array(z.string().min(1).max(256)).max(32).default([]),
  /** How long devices may take to answer; client-application's default otherwise. */
  timeoutSeconds: z.number().min(0.1).max(600).optional(),
})

export const localDevicesInput = z.object({ ...target, deviceIds: localDeviceIds })

export const localPointAtDpsInput = z.object({
  ...target,
  deviceIds: localDeviceIds,
  /** The hub profile whose device-facing DPS address (`coaps+tcp://…:15684`) is written. */
  hub: hubName,
  /** The DPS client: its bearer reads the provisioning records (the hub profile's otherwise). */
  clientId: clientId.optional(),
  /** Give up on a device still provisioning after this long. */
  timeoutSeconds: z.number().int().min(1).max(86_400).default(600),
})

export const localOnboardInput = z.object({
  ...target,
  deviceIds: localDeviceIds,
  hub: hubName,
  /** The client coap-gateway's provider uses: the token minted for each device is its. */
  clientId,
  /** The coap-gateway provider that accepts this issuer's tokens (`apn`). */
  providerName: z.string().trim().min(1).max(128).default('plgd.dps'),
  /** Lifetime of each device's token (bounded by the client's and the issuer's caps). */
  tokenLifetimeSeconds: z.number().int().min(60).max(86_400).default(3600),
  /** Give up on a device not registered after this long. */
  timeoutSeconds: z.number().int().min(1).max(86_400).default(120),
})

/** Where a device's onboarding failed: what the technician must look at. */
export const ONBOARD_FAILURE_PLACES = [
  'device',
  'client-application',
  'dps',
  'token',
  'hub',
] as const
export type OnboardFailurePlace = (typeof ONBOARD_FAILURE_PLACES)[number]

/**
 * Job item details (`jobs.items`): `local.discover` items are LocalDeviceView; the others carry
 * what the device and the hub showed last, and on failure where it failed.
 */
export interface LocalOnboardDetail {
  /** `x.plgd.dps.conf` provisionStatus, or the cloud configuration's `cps`. */
  deviceStatus: string | null
  /** point-at-dps: the provisioning record's steps at DPS (as dps.watch reports them). */
  dpsSteps?: unknown[]
  /** onboard: the token given as `authorizationCode` (never the token itself). */
  token?: { jti: string; expiresAt: number }
  failedAt?: OnboardFailurePlace
  /** A configuration snippet the hub admin must add (coap-gateway provider YAML…). */
  snippet?: string
}

export const localMethods = {
  'local.status': { input: localStatusInput, output: {} as LocalStatus },
  'local.init': { input: localInitInput, output: {} as LocalStatus },
  'local.reset': { input: localStatusInput, output: {} as LocalStatus },
  'local.discover': { input: localDiscoverInput, output: {} as { jobId: string } },
  'local.own': { input: localDevicesInput, output: {} as { jobId: string } },
  'local.disown': { input: localDevicesInput, output: {} as { jobId: string } },
  'local.pointAtDps': { input: localPointAtDpsInput, output: {} as { jobId: string } },
  'local.onboard': { input: localOnboardInput, output: {} as { jobId: string } },
  'local.offboard': { input: localDevicesInput, output: {} as { jobId: string } },
} as const

export const localEvents = {
  /** client-application was initialised or reset from here. */
  'local.changed': eventOf<{ url: string }>(),
}
