import type { JobItemView } from '../../../shared/contract/index.js'
import { followJob } from '../follow-job.js'
import { isoTime } from '../output.js'
import { customCommand, option, type Command } from './spec.js'
import { DEVICE_ARGS, localDeviceIds } from './local.js'
import { durationSeconds } from './values.js'

/** One human line per change: the device's status, the token's expiry, a failure's place and fix. */
export function describeOnboardItem(item: JobItemView): string {
  const d = item.detail as {
    deviceStatus?: string | null
    token?: { jti: string; expiresAt: number }
    failedAt?: string
    snippet?: string
  }
  const parts = [item.key, item.state]
  if (d.deviceStatus) parts.push(`device: ${d.deviceStatus}`)
  if (d.token) parts.push(`token ${d.token.jti} expires ${isoTime(d.token.expiresAt)}`)
  if (d.failedAt) parts.push(`failed at: ${d.failedAt}`)
  if (item.message) parts.push(item.message)
  const snippet = d.snippet ? `\n${d.snippet.replace(/\n$/, '').replace(/^/gm, '    ')}` : ''
  return `${parts.join('  ')}${snippet}\n`
}

const common = {
  hub: option.required('NAME', 'the hub profile (`hubs list`)'),
  device: option.list('ID', 'a device id (repeatable)'),
  'devices-file': option.text('FILE', 'device ids from a CSV (first column) or JSON file'),
  'client-app': option.text('URL', 'the client-application (default: the `clientApp.url` setting)'),
} as const

export const localOnboardingCommands: Command[] = [
  customCommand({
    words: 'local point-at-dps',
    summary: "write the hub's DPS address into devices and follow their provisioning",
    details:
      'A job over owned devices: writes the hub profile\'s DPS device address (`hubs update NAME --dps-endpoint coaps+tcp://HOST:15684`) into each device\'s `/plgd/dps` resource, then follows the device\'s `provisionStatus` and its provisioning record at DPS side by side. One JSON line per change (`deviceStatus`, `dpsSteps`); a failed device says where it failed (`failedAt`: device, client-application, dps, token, hub) with the cause and fix. DPS records are read as `--client` (the enrollment group owner), else as the hub profile. Then `{"summary":{"done","failed"}}`; exits 0 only when every device is provisioned.',
    options: {
      ...common,
      client: option.text('DPS_CLIENT_ID', 'read DPS records as this client (the group owner)'),
      timeout: option.integer('seconds', 'give up on a device not provisioned after this (600)'),
    },
    args: DEVICE_ARGS,
    examples: [
      'local point-at-dps 2d1f3a6e-9c0b-4e3f-8f1a-5b7c2d9e0a11 --hub lab --client dps',
      'local point-at-dps --hub lab --devices-file bench.csv --timeout 900 --json',
    ],
    run: async (ctx, v, args) => {
      const { jobId } = await ctx.call('local.pointAtDps', {
        clientAppUrl: v['client-app'],
        deviceIds: localDeviceIds(args, v.device, v['devices-file']),
        hub: v.hub,
        clientId: v.client,
        timeoutSeconds: v.timeout,
      })
      return followJob(ctx, jobId, { human: describeOnboardItem })
    },
  }),
  customCommand({
    words: 'local onboard',
    summary: 'onboard devices to a hub directly, each with a token of this issuer',
    details:
      "A job over owned devices: for each, mints a token of `--client` (the client coap-gateway's provider uses) whose owner claim is the client-application's device owner, for `--token-lifetime` (bounded by the client's and the issuer's maximum; its jti and expiry are printed, never the token), and gives it as the authorization code of client-application's onboard with the hub profile's coap-gateway address, hub id and CA bundle. Then follows the device's cloud status until `registered`. A failure says where it failed (`failedAt`) with the cause and fix; a token coap-gateway refuses comes with the provider YAML the hub admin adds (`snippet`). Then `{\"summary\":{\"done\",\"failed\"}}`; exits 0 only when every device is registered.",
    options: {
      ...common,
      client: option.required(
        'CLIENT_ID',
        "the client coap-gateway's provider exchanges tokens of",
      ),
      provider: option.text('NAME', 'the coap-gateway provider name (default `plgd.dps`)'),
      'token-lifetime': option.text(
        'DURATION',
        "each device's token lifetime: 3600, 15m, 2h, 1d (default 1h, at most the client's)",
      ),
      timeout: option.integer('seconds', 'give up on a device not registered after this (120)'),
    },
    args: DEVICE_ARGS,
    examples: [
      'local onboard 2d1f3a6e-9c0b-4e3f-8f1a-5b7c2d9e0a11 --hub lab --client coap-gateway',
      'local onboard --hub lab --client coap-gateway --devices-file bench.csv --token-lifetime 15m --json',
    ],
    run: async (ctx, v, args) => {
      const { jobId } = await ctx.call('local.onboard', {
        clientAppUrl: v['client-app'],
        deviceIds: localDeviceIds(args, v.device, v['devices-file']),
        hub: v.hub,
        clientId: v.client,
        providerName: v.provider,
        tokenLifetimeSeconds: durationSeconds('--token-lifetime', v['token-lifetime']),
        timeoutSeconds: v.timeout,
      })
      return followJob(ctx, jobId, { human: describeOnboardItem })
    },
  }),
]
