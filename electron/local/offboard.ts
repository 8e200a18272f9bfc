import type { JobHandler } from '../jobs/job-handler.js'
import type { ClientAppHandle } from './client-apps.js'
import {
  deviceJobHandler,
  devicePath,
  done,
  failed,
  type LocalDevicesJobInput,
} from './device-job.js'

/**
 * `local.offboard`: client-application writes an empty cloud configuration (interop §6.2), over
 * the owner's session: a device that is not owned must be owned first.
 */
export function offboardHandler(apps: {
  open(url?: string): ClientAppHandle
}): JobHandler<LocalDevicesJobInput> {
  return deviceJobHandler({
    kind: 'local.offboard',
    verb: 'offboard',
    action: 'offboarding',
    apps,
    act: async ({ handle, deviceId, device, signal }) => {
      if (device.ownershipStatus === 'UNOWNED') {
        return failed(
          `device ${deviceId} is not owned, so its cloud configuration cannot be written: \`local own ${deviceId}\` first`,
          device,
        )
      }
      await handle.client.json('POST', `${devicePath(deviceId)}/offboard`, { body: {}, signal })
      return done(device, device.ownershipStatus, 'cloud configuration cleared')
    },
  })
}
