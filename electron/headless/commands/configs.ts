import type { JSONType } from 'zod'
import { AppError } from '../../../shared/errors.js'
import { isoTime, table } from '../output.js'
import { followJob } from '../follow-job.js'
import { customCommand, methodCommand, option } from './spec.js'
import { readDeviceIds, readInput } from './values.js'

const hubOption = option.required('NAME', 'the hub profile (`hubs list`)')

/** --resource HREF=JSON_FILE: the resource's content is the file's JSON. */
export function resourceArgs(items: string[] | undefined, ttl: number | undefined) {
  if (!items || items.length === 0)
    throw new AppError('invalid_input', 'give at least one --resource HREF=JSON_FILE')
  return items.map((item) => {
    const eq = item.indexOf('=')
    if (eq <= 0) throw new AppError('invalid_input', `--resource takes HREF=JSON_FILE, not ${item}`)
    const href = item.slice(0, eq)
    const file = item.slice(eq + 1)
    let content: JSONType
    try {
      content = JSON.parse(readInput(file)) as JSONType
    } catch (err) {
      if (err instanceof AppError) throw err
      throw new AppError(
        'invalid_input',
        `${file} (for ${href}) is not JSON: ${(err as Error).message}`,
      )
    }
    return { href, content, timeToLiveSeconds: ttl }
  })
}

export const configsCommands = [
  methodCommand({
    words: 'configs create',
    summary: 'create a snippet-service configuration from resource hrefs and JSON files',
    details:
      'Each resource content is sent as base64 `application/json` (CoAP content format 50). With `--json`: `{"configuration":{"id","version"}}`.',
    options: {
      hub: hubOption,
      name: option.required('NAME', 'the configuration name'),
      resource: option.list('HREF=JSON_FILE', 'a resource and the file holding its JSON content'),
      ttl: option.integer(
        'seconds',
        'how long the hub waits for a device to take each update (default: no limit)',
      ),
    },
    examples: ['configs create --hub lab --name light-42 --resource /light/1=light.json --ttl 60'],
    method: 'configs.create',
    input: (v) => ({ hub: v.hub, name: v.name, resources: resourceArgs(v.resource, v.ttl) }),
    human: ({ configuration }) =>
      `created configuration ${configuration.id} (version ${configuration.version})\n`,
  }),
  methodCommand({
    words: 'configs list',
    summary: "a hub's configurations (latest versions), contents decoded",
    options: { hub: hubOption },
    examples: ['configs list --hub lab --json'],
    method: 'configs.list',
    input: (v) => ({ hub: v.hub }),
    human: (list) =>
      table(
        ['ID', 'VERSION', 'NAME', 'RESOURCES', 'CREATED'],
        list.map((c) => [
          c.id,
          String(c.version),
          c.name,
          c.resources.map((r) => r.href).join(' '),
          isoTime(c.timestamp),
        ]),
        'no configurations',
      ),
  }),
  customCommand({
    words: 'configs apply',
    summary: 'apply a configuration now to a list of devices, with per-device progress',
    details:
      'A job: one JSON line per device as its applied configuration changes (QUEUED, PENDING, DONE, TIMEOUT), then `{"summary":{"done","failed","timeout"}}`. Exits 0 only when every device is done. Ctrl-C leaves the job to `jobs resume` or `jobs cancel`.',
    options: {
      hub: hubOption,
      config: option.required('ID', 'the configuration id (`configs list`)'),
      device: option.list('ID', 'a device id'),
      'devices-file': option.text('FILE', 'device ids from a CSV (first column) or JSON file'),
      concurrency: option.integer('count', 'requests in flight (default the `jobs` setting)'),
      timeout: option.integer('seconds', 'give up on a device still pending after this (300)'),
      force: option.flag('update resources even when the device already has the content'),
    },
    examples: [
      'configs apply --hub lab --config 0b8f3c9e-4e1a-4c4e-9a53-8d1f0f1f2a3b --devices-file devices.csv --concurrency 16',
    ],
    run: async (ctx, v) => {
      const deviceIds = readDeviceIds(v.device, v['devices-file'])
      const { jobId } = await ctx.call('configs.apply', {
        hub: v.hub,
        configId: v.config,
        deviceIds,
        force: v.force,
        concurrency: v.concurrency,
        timeoutSeconds: v.timeout,
      })
      return followJob(ctx, jobId, {
        summary: (counts) => ({
          done: counts.done,
          failed: counts.failed + counts.cancelled,
          timeout: counts.timeout,
        }),
      })
    },
  }),
]
