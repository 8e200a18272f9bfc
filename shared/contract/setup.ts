import { z } from 'zod'
import { SIGNING_ALGORITHMS } from '../enums.js'
import { hostName, portNumber } from './settings.js'
import type { StatusView } from './status.js'

export const completeSetupInput = z.object({
  alg: z.enum(SIGNING_ALGORITHMS).default('ES256'),
  publicHost: hostName.nullable().default(null),
  port: portNumber.optional(),
  exposeOnLan: z.boolean().default(false),
})

export const setupMethods = {
  'setup.complete': { input: completeSetupInput, output: {} as StatusView },
} as const
