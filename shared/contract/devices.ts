import { z } from 'zod'
import { hubName } from './hubs.js'

/** A device as the hub's http-gateway lists it (interop §5). */
export interface DeviceView {
  id: string
  name: string
  types: string[]
  status: 'ONLINE' | 'OFFLINE' | 'UNKNOWN'
  ownershipStatus: string | null
  endpoints: string[]
}

/** List a hub's devices: a job (`devices.list`) whose items are the devices as they stream in. */
export const listDevicesInput = z.object({
  hub: hubName,
  status: z.enum(['ONLINE', 'OFFLINE']).optional(),
  types: z.array(z.string().min(1).max(256)).default([]),
})

export const updateResourceInput = z.object({
  hub: hubName,
  deviceId: z.string().trim().min(1).max(128),
  href: z
    .string()
    .min(2)
    .max(512)
    .regex(/^\/\S*$/, 'a resource href starts with / and has no spaces'),
  content: z.json(),
})

export const removeDeviceInput = z.object({
  hub: hubName,
  deviceId: z.string().trim().min(1).max(128),
})

export const devicesMethods = {
  'devices.list': { input: listDevicesInput, output: {} as { jobId: string } },
  'devices.resourceLinks': {
    input: removeDeviceInput,
    output: {} as { href: string; resourceTypes: string[] }[],
  },
  'devices.update': { input: updateResourceInput, output: {} as { content: unknown } },
  'devices.remove': { input: removeDeviceInput, output: {} as { removed: true } },
} as const
