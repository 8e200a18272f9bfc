import { z } from 'zod'
import { clientId, lifetime } from './common.js'
import { hubName } from './hubs.js'

const deviceIds = z
  .array(z.string().trim().min(1).max(128))
  .min(1, 'give at least one device id')
  .max(100_000)
const href = z
  .string()
  .min(2)
  .max(512)
  .regex(/^\/\S*$/, 'a resource href starts with / and has no spaces')

/** A resource of a configuration as the user edits it: an href and its JSON content. */
export const configResourceInput = z.object({
  href,
  /** The resource content as JSON; sent as base64 application/json, CoAP content format 50. */
  content: z.json(),
  /** How long the hub waits for the device to accept the update; 0 or none: no limit. */
  timeToLiveSeconds: z.number().int().min(0).max(86_400).optional(),
})

/** snippet-service configurations and conditions (interop §4). */
export const createConfigInput = z.object({
  hub: hubName,
  name: z.string().trim().min(1).max(256),
  resources: z.array(configResourceInput).min(1, 'a configuration has at least one resource'),
})
export const hubOnlyInput = z.object({ hub: hubName })

export interface ConfigurationView {
  id: string
  version: number
  name: string
  owner: string
  timestamp: number
  resources: { href: string; content: unknown; contentType: string; timeToLiveSeconds: number }[]
}

/** Apply a configuration now to each device (on-demand invoke): a job (`configs.apply`). */
export const applyConfigInput = z.object({
  hub: hubName,
  configId: z.string().uuid(),
  deviceIds,
  force: z.boolean().default(false),
  /** Requests in flight; the `plgd.concurrency` setting by default. */
  concurrency: z.number().int().min(1).max(256).optional(),
  /** Give up on a device whose applied configuration is still pending after this long. */
  timeoutSeconds: z.number().int().min(1).max(86_400).default(300),
})

/**
 * A condition whose `apiAccessToken` is minted by our issuer, with a lifetime the user picks
 * (bounded by the client's policy); the hub stores the token in clear.
 */
export const createConditionInput = z.object({
  hub: hubName,
  configId: z.string().uuid(),
  name: z.string().trim().min(1).max(256),
  deviceIds: z.array(z.string().trim().min(1).max(128)).default([]),
  resourceTypes: z.array(z.string().trim().min(1).max(256)).default([]),
  hrefs: z.array(href).default([]),
  jq: z.string().max(4096).optional(),
  clientId,
  tokenLifetimeSeconds: lifetime,
  enabled: z.boolean().default(true),
})
export interface ConditionView {
  id: string
  version: number
  name: string
  enabled: boolean
  configurationId: string
  deviceIds: string[]
  resourceTypes: string[]
  hrefs: string[]
  jq: string
  /** The jti of the apiAccessToken when it is one of ours (the token itself is never shown). */
  tokenJti: string | null
  tokenExpiresAt: number | null
}

export const snippetsMethods = {
  'configs.create': {
    input: createConfigInput,
    output: {} as { configuration: { id: string; version: number } },
  },
  'configs.list': { input: hubOnlyInput, output: {} as ConfigurationView[] },
  'configs.apply': { input: applyConfigInput, output: {} as { jobId: string } },
  'conditions.create': {
    input: createConditionInput,
    output: {} as { condition: ConditionView; tokenJti: string },
  },
  'conditions.list': { input: hubOnlyInput, output: {} as ConditionView[] },
} as const
