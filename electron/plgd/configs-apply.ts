import type { ParsedInput } from '../../shared/contract/index.js'
import type { ItemOutcome, JobContext, JobHandler } from '../jobs/job-handler.js'
import {
  appliedOutcome,
  appliedResources,
  type AppliedResource,
  type WireAppliedConfiguration,
} from './applied-status.js'
import { explainDeviceFailure, httpStatusOf } from './device-failures.js'
import type { HubDirectory } from './hub-context.js'
import type { PlgdClient } from './plgd-client.js'
import { snippetPath } from './snippet-paths.js'

const FIRST_POLL_MS = 100

export type ApplyInput = ParsedInput<'configs.apply'>

export interface ConfigsApplyOptions {
  /** The longest wait between two reads of a device's applied configuration. */
  pollIntervalMs?: number
  nowMs?: () => number
}

/**
 * `configs.apply`: invoke the configuration on each device (the caller's bearer applies it),
 * then read its applied configuration until every resource is DONE or one is TIMEOUT. Each
 * device holds one slot of the job's concurrency while it runs, so the requests in flight never
 * exceed it; nothing is kept per device beyond its item row.
 */
export function configsApplyHandler(
  hubs: HubDirectory,
  options: ConfigsApplyOptions = {},
): JobHandler<ApplyInput> {
  const pollMs = options.pollIntervalMs ?? 1000
  const nowMs = options.nowMs ?? Date.now
  return {
    kind: 'configs.apply',
    title: (input) =>
      `apply configuration ${input.configId.slice(0, 8)} to ${input.deviceIds.length} device${input.deviceIds.length === 1 ? '' : 's'}`,
    initialItems: (input) => [...new Set(input.deviceIds)],
    run: async (ctx) => {
      const hub = hubs.open(ctx.hub)
      const client = hub.client('snippets')
      await ctx.forEachPending(async (deviceId, signal) => {
        try {
          return await applyOne(ctx, client, deviceId, signal, { pollMs, nowMs })
        } catch (err) {
          if (signal.aborted) throw err
          return {
            state: 'failed',
            message: explainDeviceFailure(err, {
              hub: ctx.hub,
              deviceId,
              owner: hub.owner,
              action: `applying configuration ${ctx.input.configId}`,
            }),
          }
        }
      })
    },
  }
}

async function applyOne(
  ctx: JobContext<ApplyInput>,
  client: PlgdClient,
  deviceId: string,
  signal: AbortSignal,
  { pollMs, nowMs }: { pollMs: number; nowMs: () => number },
): Promise<ItemOutcome> {
  const { configId, force, timeoutSeconds } = ctx.input
  let appliedConfigurationId: string | undefined
  let earlier = false
  try {
    const invoked = await client.json<{ appliedConfigurationId?: string }>(
      'POST',
      snippetPath(client, `/configurations/${encodeURIComponent(configId)}`),
      { body: { deviceId, force }, signal },
    )
    appliedConfigurationId = invoked.appliedConfigurationId
  } catch (err) {
    // Applied already (by an earlier run, or before a restart): follow that one, not fail.
    if (httpStatusOf(err) !== 409) throw err
    appliedConfigurationId = await findApplied(client, deviceId, configId, signal)
    if (!appliedConfigurationId) throw err
    earlier = true
  }
  if (!appliedConfigurationId)
    return { state: 'failed', message: 'the snippet-service answered without an applied id' }
  const deadline = nowMs() + timeoutSeconds * 1000
  let resources: AppliedResource[] = []
  let shown = ''
  let reads = 0
  for (;;) {
    resources = await readApplied(client, appliedConfigurationId, signal)
    const detail = { appliedConfigurationId, resources }
    const outcome = appliedOutcome(resources)
    if (outcome === 'done') {
      const message = earlier
        ? `already applied as ${appliedConfigurationId} before this run; \`--force\` applies it again`
        : null
      return { state: 'done', detail, message }
    }
    if (outcome === 'timeout') {
      const late = resources.filter((r) => r.status === 'TIMEOUT').map((r) => r.href)
      return {
        state: 'timeout',
        detail,
        message: `device ${deviceId} did not take ${late.join(', ')} within the resource's time to live: check that it is online, or raise the TTL (\`configs create --ttl\`)`,
      }
    }
    if (nowMs() >= deadline) {
      return {
        state: 'timeout',
        detail,
        message: `still pending after ${timeoutSeconds} s (the job's timeout): the device may be offline; apply again later, or raise \`--timeout\``,
      }
    }
    const key = JSON.stringify(resources)
    if (key !== shown) {
      shown = key
      ctx.update(deviceId, { state: 'running', detail })
    }
    // Quick devices answer within a few hundred ms: read soon, then back off to pollMs.
    const wait = Math.min(pollMs, FIRST_POLL_MS * 2 ** reads++)
    await sleep(Math.min(wait, Math.max(0, deadline - nowMs())), signal)
  }
}

async function readApplied(
  client: PlgdClient,
  id: string,
  signal: AbortSignal,
): Promise<AppliedResource[]> {
  for await (const applied of client.stream<WireAppliedConfiguration>(
    snippetPath(client, '/configurations/applied'),
    { query: { idFilter: id }, signal },
  )) {
    if (applied.id === undefined || applied.id === id) return appliedResources(applied)
  }
  return []
}

async function findApplied(
  client: PlgdClient,
  deviceId: string,
  configId: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  for await (const applied of client.stream<WireAppliedConfiguration>(
    snippetPath(client, '/configurations/applied'),
    { query: { deviceIdFilter: deviceId, httpConfigurationIdFilter: `${configId}/all` }, signal },
  )) {
    if (applied.id) return applied.id
  }
  return undefined
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error)
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal.reason as Error)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
