import { z } from 'zod'
import { SIGNING_ALGORITHMS } from '../enums.js'
import type { StatusView } from './status.js'

export const completeSetupInput = z.object({
  alg: z.enum(SIGNING_ALGORITHMS).default('ES256'),
  publicHost: z.string().min(1).max(255).nullable().default(null),
  port: z.number().int().min(0).max(65535).optional(),
  exposeOnLan: z.boolean().default(false),
})

export const setupMethods = {
  'setup.complete': { input: completeSetupInput, output: {} as StatusView },
} as const
