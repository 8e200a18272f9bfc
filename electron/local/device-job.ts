import type { LocalDeviceView, ParsedInput } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import type { ItemOutcome, JobHandler } from '../jobs/job-handler.js'
import type { PlgdClient } from '../plgd/plgd-client.js'
import { PlgdError } from '../plgd/plgd-error.js'
import type { ClientAppHandle } from './client-apps.js'
import { toLocalDeviceView, type WireLocalDevice } from './local-device-view.js'

/** A job over devices as stored: the client-application resolved, so a resume talks to it again. */
export type LocalDevicesJobInput = ParsedInput<'local.own'> & { clientAppUrl: string }

/** What one device's work sees. */
export interface DeviceWork {
  handle: ClientAppHandle
  deviceId: string
  /** The device as client-application knows it now. */
  device: LocalDeviceView
  signal: AbortSignal
  jobId: string
}

export const devicePath = (deviceId: string): string =>
  `/api/v1/devices/${encodeURIComponent(deviceId)}`

/** The device as client-application knows it; a 404 names discovery as the fix. */
export async function readDevice(
  client: PlgdClient,
  deviceId: string,
  signal: AbortSignal,
): Promise<LocalDeviceView> {
  const wire = await client.json<WireLocalDevice | undefined>('GET', devicePath(deviceId), {
    signal,
  })
  return toLocalDeviceView({ id: deviceId, ...wire })
}

/** A failed item: the message names the cause and the fix. */
export function failed(message: string, device?: LocalDeviceView): ItemOutcome {
  return {
    state: 'failed',
    message,
    detail: { deviceStatus: device?.ownershipStatus ?? null, name: device?.name ?? null },
  }
}

export function done(device: LocalDeviceView, status: string, note?: string): ItemOutcome {
  return {
    state: 'done',
    message: note ?? null,
    detail: { deviceStatus: status, name: device.name },
  }
}

/**
 * Why a call about one device failed, in words with the fix: client-application stopped
 * (resume the job once it runs), a device it does not know (discover it), the owner's word
 * (someone else owns it), or plgd's own message with its fix.
 */
export function explainFailure(
  err: unknown,
  work: Pick<DeviceWork, 'handle' | 'deviceId' | 'jobId'>,
  action: string,
): string {
  const { deviceId, handle } = work
  if (err instanceof PlgdError) {
    if (err.net && err.net.failure !== 'tls') {
      return `client-application did not answer at ${handle.url} while ${action} device ${deviceId} (${err.net.message}): start it (or check the device answers in time), then \`jobs resume ${work.jobId}\``
    }
    if (err.status === 404) {
      return `client-application does not know device ${deviceId}: run \`local discover\` (with --ip ADDR when multicast does not reach it), then again`
    }
    const said = (err.plgdMessage ?? '').toLowerCase()
    // X509: the token's owner is refused, whatever the device: the fix is client-application's.
    if (err.status === 401 || said.includes('initialized by another owner')) {
      return `${action} device ${deviceId}: ${err.message}`
    }
    if (/(another|other|different) (owner|client application)|owned by (an)?other/.test(said)) {
      return `device ${deviceId} is owned by someone else (client-application said: ${err.plgdMessage}): its owner must disown it (or the device be reset to factory defaults), then \`local own ${deviceId}\``
    }
    if (/\bnot owned\b/.test(said)) {
      return `device ${deviceId} is not owned through this client-application (client-application said: ${err.plgdMessage}): \`local own ${deviceId}\` first`
    }
    if (err.status === 403) return `${action} device ${deviceId}: ${err.message}`
    return `${action} device ${deviceId} failed: ${err.message}`
  }
  if (err instanceof AppError && err.expose) return `${action} device ${deviceId}: ${err.message}`
  return `${action} device ${deviceId} failed: ${(err as Error).message ?? String(err)}`
}

/**
 * A job with one item per device id: each reads the device, then `act` decides and calls;
 * whatever fails becomes that item's message, never the whole job's.
 */
export function deviceJobHandler(options: {
  kind: 'local.own' | 'local.disown' | 'local.offboard'
  verb: string
  /** `owning`, `disowning`…: for messages. */
  action: string
  apps: { open(url?: string): ClientAppHandle }
  act(work: DeviceWork): Promise<ItemOutcome>
}): JobHandler<LocalDevicesJobInput> {
  return {
    kind: options.kind,
    title: (input) =>
      `${options.verb} ${input.deviceIds.length === 1 ? `device ${input.deviceIds[0]}` : `${input.deviceIds.length} devices`} via ${input.clientAppUrl}`,
    initialItems: (input) => [...new Set(input.deviceIds)],
    run: async (ctx) => {
      const handle = options.apps.open(ctx.input.clientAppUrl)
      await ctx.forEachPending(async (deviceId, signal) => {
        const base = { handle, deviceId, jobId: ctx.id }
        let device: LocalDeviceView
        try {
          device = await readDevice(handle.client, deviceId, signal)
        } catch (err) {
          if (signal.aborted) throw err
          return failed(explainFailure(err, base, options.action))
        }
        try {
          return await options.act({ ...base, device, signal })
        } catch (err) {
          if (signal.aborted) throw err
          return failed(explainFailure(err, base, options.action), device)
        }
      })
    },
  }
}
