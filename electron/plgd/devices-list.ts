import type { ParsedInput } from '../../shared/contract/index.js'
import type { ItemOutcome, JobHandler } from '../jobs/job-handler.js'
import { toDeviceView, type WireDevice } from './device-view.js'
import type { HubDirectory } from './hub-context.js'

export type ListDevicesInput = ParsedInput<'devices.list'>

export interface DevicesListOptions {
  /** Devices written per append. */
  batchSize?: number
  /** A partial batch is written after this long, so a slow stream still shows rows. */
  flushAfterMs?: number
}

/**
 * `devices.list`: streams GET /api/v1/devices and appends each device as an item, in batches,
 * so memory holds one batch whatever the hub's size and the first rows are stored (and shown)
 * before the last byte arrives.
 */
export function devicesListHandler(
  hubs: HubDirectory,
  options: DevicesListOptions = {},
): JobHandler<ListDevicesInput> {
  const batchSize = options.batchSize ?? 100
  const flushAfterMs = options.flushAfterMs ?? 250
  return {
    kind: 'devices.list',
    title: (input) =>
      `list devices${input.status ? ` ${input.status.toLowerCase()}` : ''}${input.types.length > 0 ? ` of type ${input.types.join(', ')}` : ''}`,
    initialItems: () => [],
    run: async (ctx) => {
      const client = hubs.open(ctx.hub).client('gateway')
      let batch: { key: string; outcome: ItemOutcome }[] = []
      let since = Date.now()
      const flush = (): void => {
        if (batch.length > 0) ctx.append(batch)
        batch = []
        since = Date.now()
      }
      for await (const wire of client.stream<WireDevice>('/api/v1/devices', {
        query: {
          statusFilter: ctx.input.status,
          typeFilter: ctx.input.types.length > 0 ? ctx.input.types : undefined,
        },
        signal: ctx.signal,
      })) {
        const device = toDeviceView(wire)
        if (device.id === '') continue
        batch.push({
          key: device.id,
          outcome: { state: 'done', detail: device as unknown as Record<string, unknown> },
        })
        if (batch.length >= batchSize || Date.now() - since >= flushAfterMs) flush()
      }
      flush()
    },
  }
}
