import type { JSONType } from 'zod'
import type { DeviceView, JobItemView } from '../../../shared/contract/index.js'
import { AppError } from '../../../shared/errors.js'
import { followJob } from '../follow-job.js'
import { prettyJson, table } from '../output.js'
import { customCommand, methodCommand, option } from './spec.js'
import { readInput } from './values.js'

const hubOption = option.required('NAME', 'the hub profile (`hubs list`)')
const deviceOption = option.required('ID', 'the device id')
const STATUSES = ['ONLINE', 'OFFLINE'] as const

export const devicesCommands = [
  customCommand({
    words: 'devices list',
    summary: "a hub's devices, streamed: one JSON line per device as it arrives",
    details:
      'A job (`devices.list`): each device is printed as the hub streams it, `{"id","name","types","status","ownershipStatus","endpoints"}`, then `{"summary":{"devices"}}`.',
    options: {
      hub: hubOption,
      status: option.choice(STATUSES, 'only devices in this connection state'),
      type: option.list('TYPE', 'only devices of this resource type (all given types)'),
    },
    examples: ['devices list --hub lab --status ONLINE --json'],
    run: async (ctx, v) => {
      const { jobId } = await ctx.call('devices.list', {
        hub: v.hub,
        status: v.status,
        types: v.type ?? [],
      })
      return followJob(ctx, jobId, {
        line: (item) => item.detail,
        human: deviceLine,
        summary: (counts) => ({ devices: counts.done }),
      })
    },
  }),
  methodCommand({
    words: 'devices update',
    summary: "update a device's resource through http-gateway with a JSON file's content",
    options: {
      hub: hubOption,
      device: deviceOption,
      href: option.required('HREF', 'the resource href, e.g. /light/1'),
      'json-file': option.required('FILE', 'the new content (JSON); `-` reads stdin'),
    },
    examples: ['devices update --hub lab --device d1 --href /light/1 --json-file power.json'],
    method: 'devices.update',
    input: (v) => {
      let content: JSONType
      try {
        content = JSON.parse(readInput(v['json-file'])) as JSONType
      } catch (err) {
        if (err instanceof AppError) throw err
        throw new AppError(
          'invalid_input',
          `${v['json-file']} is not JSON: ${(err as Error).message}`,
        )
      }
      return { hub: v.hub, deviceId: v.device, href: v.href, content }
    },
    human: ({ content }) => `updated; the device answered:\n${prettyJson(content)}`,
  }),
  methodCommand({
    words: 'devices remove',
    summary: 'remove a device from the hub (offboard it hub-side)',
    options: { hub: hubOption, device: deviceOption },
    examples: ['devices remove --hub lab --device d1'],
    method: 'devices.remove',
    input: (v) => ({ hub: v.hub, deviceId: v.device }),
    human: () => 'removed\n',
  }),
  methodCommand({
    words: 'devices links',
    summary: "a device's published resource links",
    options: { hub: hubOption, device: deviceOption },
    examples: ['devices links --hub lab --device d1 --json'],
    method: 'devices.resourceLinks',
    input: (v) => ({ hub: v.hub, deviceId: v.device }),
    human: (links) =>
      table(
        ['HREF', 'TYPES'],
        links.map((l) => [l.href, l.resourceTypes.join(' ')]),
        'no resource links',
      ),
  }),
]

/** A listed device without --json: id, status, name and types, one line each. */
function deviceLine(item: JobItemView): string {
  const d = item.detail as Partial<DeviceView>
  const types = (d.types ?? []).join(',')
  return `${item.key}  ${d.status ?? item.state}  ${d.name ?? ''}  ${types}\n`
}
