import type { HubOverrides, HubView } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import { NetError } from '../net/net-error.js'
import { netFix, type FixContext } from './hub-check-fixes.js'
import type { PlgdClient } from './plgd-client.js'
import { PlgdError } from './plgd-error.js'

/** What a hub publishes at `GET /.well-known/hub-configuration` (interop §5), as we keep it. */
export interface DiscoveredHub {
  hubId: string
  ownerClaim: string
  deviceIdClaim: string
  coapGateway: string
  certificateAuthority: string
  authority: string
  dpsUrl: string | null
  snippetServiceUrl: string | null
  m2mOauthClient: { clientId: string; authority: string } | null
  hubCaPem: string | null
}

export interface HubConfiguration {
  hub: DiscoveredHub
  /** The hub's clock (`currentTime`, nanoseconds on the wire), in milliseconds; null if absent. */
  currentTimeMs: number | null
  /** `defaultCommandTimeToLive` in nanoseconds (numeric strings become numbers). */
  defaultCommandTimeToLiveNs: number | null
}

export const HUB_CONFIGURATION_PATH = '/.well-known/hub-configuration'
/** Devices reach DPS on this port; plgd does not publish the address. */
export const DPS_DEVICE_PORT = 15684

const text = (v: unknown): string => (typeof v === 'string' ? v : '')
const record = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {}

/** int64 fields arrive as JSON numbers or numeric strings (protojson). */
function int64(v: unknown): bigint | null {
  if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.trunc(v))
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return BigInt(v.trim())
  return null
}

/** An http(s) URL as published, trailing slash dropped; anything else is "not published". */
function publishedUrl(v: unknown): string | null {
  const value = text(v).trim()
  if (!value) return null
  const url = URL.parse(value)
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return null
  return value.replace(/\/+$/, '')
}

/**
 * Reads a hub-configuration body. plgd's JSON marshaller drops empty strings and nulls, so
 * every field may be missing; the owner claim then defaults to `sub` as plgd's does.
 */
export function parseHubConfiguration(body: unknown): HubConfiguration {
  const doc = record(body)
  if (Object.keys(doc).length === 0)
    throw new AppError('invalid_input', 'the hub-configuration answer is not a JSON object')
  const ui = record(doc.ui)
  const m2m = record(doc.m2mOauthClient)
  const now = int64(doc.currentTime)
  const ttl = int64(doc.defaultCommandTimeToLive)
  const caPem = text(doc.certificateAuthorities)
  return {
    hub: {
      hubId: text(doc.id),
      ownerClaim: text(doc.jwtOwnerClaim) || 'sub',
      deviceIdClaim: text(doc.jwtDeviceIdClaim),
      coapGateway: text(doc.coapGateway),
      certificateAuthority: text(doc.certificateAuthority),
      authority: text(doc.authority),
      dpsUrl: publishedUrl(ui.deviceProvisioningService),
      snippetServiceUrl: publishedUrl(ui.snippetService),
      m2mOauthClient: text(m2m.clientId)
        ? { clientId: text(m2m.clientId), authority: text(m2m.authority) }
        : null,
      hubCaPem: caPem.includes('-----BEGIN CERTIFICATE-----') ? caPem : null,
    },
    currentTimeMs: now === null ? null : Number(now / 1_000_000n),
    defaultCommandTimeToLiveNs: ttl === null ? null : Number(ttl),
  }
}

/**
 * Reads the hub's configuration through the plgd connector (anonymous). A failure names its
 * layer and the fix in terms of the command that is running (`hubs add` or `hubs update`).
 */
export async function discoverHub(gateway: PlgdClient, ctx: FixContext): Promise<HubConfiguration> {
  let body: unknown
  try {
    body = await gateway.json<unknown>('GET', HUB_CONFIGURATION_PATH)
  } catch (err) {
    const net = netErrorOf(err)
    const detail = err instanceof PlgdError ? err.detail : (err as Error).message
    const fix = net
      ? netFix(net, ctx)
      : err instanceof PlgdError && err.fix
        ? err.fix
        : "is the URL the hub's http-gateway (without /api/v1)?"
    throw new AppError(
      'invalid_input',
      `cannot read ${gateway.baseUrl}${HUB_CONFIGURATION_PATH}: ${detail}. Fix: ${fix}`,
      { cause: err },
    )
  }
  return parseHubConfiguration(body)
}

function netErrorOf(err: unknown): NetError | undefined {
  if (err instanceof NetError) return err
  if (err instanceof PlgdError) return err.net
  return undefined
}

/** The address devices use for DPS: the override, else the DPS API host on port 15684. */
export function defaultDpsDeviceEndpoint(dpsUrl: string | null): string | null {
  const url = dpsUrl ? URL.parse(dpsUrl) : null
  // URL.hostname keeps an IPv6 address's brackets, as the endpoint needs them.
  return url ? `coaps+tcp://${url.hostname}:${DPS_DEVICE_PORT}` : null
}

export type ResolvedHub = Pick<
  HubView,
  | 'hubId'
  | 'ownerClaim'
  | 'deviceIdClaim'
  | 'coapGateway'
  | 'certificateAuthority'
  | 'authority'
  | 'dpsUrl'
  | 'snippetServiceUrl'
  | 'dpsDeviceEndpoint'
  | 'm2mOauthClient'
  | 'hubCaPem'
>

/** Discovery with the user's overrides on top: an override always wins. */
export function resolveHub(discovered: DiscoveredHub, overrides: HubOverrides): ResolvedHub {
  const dpsUrl = (overrides.dpsUrl ?? discovered.dpsUrl)?.replace(/\/+$/, '') ?? null
  return {
    hubId: discovered.hubId,
    ownerClaim: overrides.ownerClaim ?? discovered.ownerClaim,
    deviceIdClaim: overrides.deviceIdClaim ?? discovered.deviceIdClaim,
    coapGateway: overrides.coapGateway ?? discovered.coapGateway,
    certificateAuthority: overrides.certificateAuthority ?? discovered.certificateAuthority,
    authority: discovered.authority,
    dpsUrl,
    snippetServiceUrl:
      (overrides.snippetServiceUrl ?? discovered.snippetServiceUrl)?.replace(/\/+$/, '') ?? null,
    dpsDeviceEndpoint: overrides.dpsDeviceEndpoint ?? defaultDpsDeviceEndpoint(dpsUrl),
    m2mOauthClient: discovered.m2mOauthClient,
    hubCaPem: discovered.hubCaPem,
  }
}
