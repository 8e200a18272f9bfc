import type { devicesMethods } from '../../../shared/contract/index.js'
import { devicesListHandler } from '../../plgd/devices-list.js'
import { removeDevice, resourceLinks, updateResource } from '../../plgd/devices.js'
import type { DomainTable, MethodContext } from './method-table.js'

export function implementDevices({
  app,
  audit,
}: MethodContext): DomainTable<typeof devicesMethods> {
  // Registered with every dispatcher, before any call can start or resume a listing.
  app.jobs.register(devicesListHandler(app.hubs))
  return {
    'devices.list': (input) => {
      // An unknown profile is the caller's error, not a job that fails.
      app.hubs.open(input.hub).client('gateway')
      return app.jobs.start('devices.list', input.hub, input)
    },
    'devices.resourceLinks': (input) => resourceLinks(app.hubs.open(input.hub), input),
    'devices.update': async (input) => {
      const updated = await updateResource(app.hubs.open(input.hub), input)
      audit('device.resource_updated', input.deviceId, { hub: input.hub, href: input.href })
      return updated
    },
    'devices.remove': async (input) => {
      const removed = await removeDevice(app.hubs.open(input.hub), input)
      audit('device.removed', input.deviceId, { hub: input.hub })
      return removed
    },
  }
}
