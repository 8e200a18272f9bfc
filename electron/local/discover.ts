import type { ParsedInput } from '../../shared/contract/index.js'
import type { ItemOutcome, JobHandler } from '../jobs/job-handler.js'
import { nsFromSeconds } from '../plgd/plgd-json.js'
import type { ClientAppHandle } from './client-apps.js'
import { toLocalDeviceView, type WireLocalDevice } from './local-device-view.js'

/** A discovery as stored in its job: the client-application and the timeout resolved. */
export type DiscoverJobInput = ParsedInput<'local.discover'> & {
  clientAppUrl: string
  timeoutSeconds: number
}

export interface DiscoverOptions {
  /** Devices written per append. */
  batchSize?: number
  /** A partial batch is written after this long, so devices show as they answer. */
  flushAfterMs?: number
}

/** client-application answers once its discovery window closes: allow that, and then some. */
export const DISCOVERY_GRACE_MS = 10_000

/** The query of `GET /api/v1/devices` (interop §6.1): multicast IPv4 unless addresses are given. */
export function discoveryQuery(
  input: DiscoverJobInput,
): Record<string, string | string[] | undefined> {
  const multicast = input.multicast ?? (input.ips.length > 0 ? [] : ['IPV4'])
  return {
    useMulticast: multicast.length > 0 ? multicast : undefined,
    useEndpoints: input.ips.length > 0 ? input.ips : undefined,
    timeout: nsFromSeconds(input.timeoutSeconds),
    ownershipStatusFilter: input.ownership,
    typeFilter: input.types.length > 0 ? input.types : undefined,
  }
}

/**
 * `local.discover`: streams client-application's discovery and appends each device (a
 * LocalDeviceView, keyed by id) as it answers, in small batches, so the first rows show
 * before the discovery window closes. The HTTP timeout outlasts that window.
 */
export function discoverHandler(
  apps: { open(url?: string): ClientAppHandle },
  options: DiscoverOptions = {},
): JobHandler<DiscoverJobInput> {
  const batchSize = options.batchSize ?? 20
  const flushAfterMs = options.flushAfterMs ?? 200
  return {
    kind: 'local.discover',
    title: (input) => {
      const where = input.ips.length > 0 ? ` at ${input.ips.join(', ')}` : ' by multicast'
      const which = input.ownership ? ` ${input.ownership.toLowerCase()}` : ''
      return `discover${which} devices${where} (${input.timeoutSeconds} s) via ${input.clientAppUrl}`
    },
    initialItems: () => [],
    run: async (ctx) => {
      const { input } = ctx
      const client = apps
        .open(input.clientAppUrl)
        .clientWith(input.timeoutSeconds * 1000 + DISCOVERY_GRACE_MS)
      const seen = new Set<string>()
      let batch: { key: string; outcome: ItemOutcome }[] = []
      // A lone device is written after flushAfterMs, not when the next one answers.
      let timer: ReturnType<typeof setTimeout> | undefined
      const flush = (): void => {
        clearTimeout(timer)
        timer = undefined
        if (batch.length > 0) ctx.append(batch)
        batch = []
      }
      try {
        for await (const wire of client.stream<WireLocalDevice>('/api/v1/devices', {
          query: discoveryQuery(input),
          signal: ctx.signal,
        })) {
          const device = toLocalDeviceView(wire)
          // A device answering on two interfaces is listed once.
          if (device.id === '' || seen.has(device.id)) continue
          seen.add(device.id)
          batch.push({
            key: device.id,
            outcome: { state: 'done', detail: device as unknown as Record<string, unknown> },
          })
          if (batch.length >= batchSize) flush()
          else timer ??= setTimeout(flush, flushAfterMs)
        }
      } finally {
        flush()
      }
    },
  }
}
