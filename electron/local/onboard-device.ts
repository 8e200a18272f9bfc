import type { ItemOutcome } from '../jobs/job-handler.js'
import { httpStatusOf } from '../plgd/device-failures.js'
import type { PlgdClient } from '../plgd/plgd-client.js'
import { readJsonContent } from '../plgd/plgd-json.js'
import type { LocalOnboardDetail } from '../../shared/contract/index.js'
import { explainClientAppCall, notOwned, OnboardFailure } from './onboard-failures.js'

/**
 * The client-application calls point-at-dps and onboard share (interop §6.1): one device, its
 * ownership, and reading or writing one of its resources.
 */

/** plgd's DPS client configuration resource (x.plgd.dps.conf). */
export const DPS_CONF_HREF = '/plgd/dps'
/** OCF cloud configuration (oic.r.coapcloudconf), as iotivity-lite names its href. */
export const CLOUD_CONF_HREF = '/CoapCloudConfResURI'

export const devicePath = (deviceId: string): string =>
  `/api/v1/devices/${encodeURIComponent(deviceId)}`

/** An href keeps its slashes; each segment is escaped. */
export const resourcePath = (deviceId: string, href: string): string =>
  `${devicePath(deviceId)}/resources/${href
    .replace(/^\/+/, '')
    .split('/')
    .map(encodeURIComponent)
    .join('/')}`

export interface DeviceCall {
  client: PlgdClient
  url: string
  deviceId: string
  signal: AbortSignal
}

/** Runs one client-application call; a refusal becomes an OnboardFailure naming its fix. */
export async function onDevice<T>(
  call: DeviceCall,
  action: string,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (call.signal.aborted) throw err
    throw explainClientAppCall(err, { url: call.url, deviceId: call.deviceId, action })
  }
}

/**
 * Refuses a secured device that this client-application does not own: nothing else can be done
 * with it. An unsecured device (UNSUPPORTED: no ownership at all) is written on its plain
 * endpoint, as client-application does.
 */
export async function requireOwned(call: DeviceCall): Promise<void> {
  const device = await onDevice(call, 'reading the device', () =>
    call.client.json<{ ownershipStatus?: string } | undefined>('GET', devicePath(call.deviceId), {
      signal: call.signal,
    }),
  )
  const ownership = device?.ownershipStatus ?? 'UNKNOWN'
  if (ownership !== 'OWNED' && ownership !== 'UNSUPPORTED') throw notOwned(call.deviceId, ownership)
}

/** A resource's JSON value (the answer's `data.content`), or null when it has none. */
export async function readResource<T extends object>(
  call: DeviceCall,
  href: string,
): Promise<T | null> {
  const answer = await call.client.json<{ data?: { content?: unknown } } | undefined>(
    'GET',
    resourcePath(call.deviceId, href),
    { signal: call.signal },
  )
  const value = readJsonContent(answer?.data?.content ?? null)
  return value !== null && typeof value === 'object' ? (value as T) : null
}

/**
 * A resource polled while a device works: null on a hiccup (the next poll tries again); a
 * device no longer owned or unknown to client-application fails, since waiting will not help.
 */
export async function pollResource<T extends object>(
  call: DeviceCall,
  href: string,
): Promise<T | null> {
  try {
    return await readResource<T>(call, href)
  } catch (err) {
    const status = httpStatusOf(err)
    if (status === 403 || status === 404 || status === 401) {
      throw explainClientAppCall(err, {
        url: call.url,
        deviceId: call.deviceId,
        action: `reading ${href}`,
      })
    }
    return null
  }
}

/** The item outcome of a failure: where it failed in the detail, the cause and fix as message. */
export function failedOutcome(detail: LocalOnboardDetail, failure: OnboardFailure): ItemOutcome {
  return {
    state: 'failed',
    detail: {
      ...stored(detail),
      failedAt: failure.place,
      ...(failure.snippet ? { snippet: failure.snippet } : {}),
    },
    message: failure.message,
  }
}

/** A detail as the job stores it (an item's detail is a plain record). */
export function stored(detail: LocalOnboardDetail): Record<string, unknown> {
  return { ...detail }
}

/** Between polls; resolves early on abort (the caller checks the signal). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}

/** A number from a resource property that a marshaller may give as a string. */
export function numberOf(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : value
  return typeof n === 'number' && Number.isFinite(n) ? n : null
}
