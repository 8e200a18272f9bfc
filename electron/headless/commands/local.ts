import type { JobItemView, LocalDeviceView, LocalStatus } from '../../../shared/contract/index.js'
import { AppError } from '../../../shared/errors.js'
import { followJob } from '../follow-job.js'
import { isoTime } from '../output.js'
import { customCommand, methodCommand, option, type Command } from './spec.js'
import { readDeviceIds } from './values.js'

/** Every `local` command: which client-application (the setting otherwise). */
const clientAppOption = option.text(
  'URL',
  'the client-application to use; default the `settings set --client-app` URL, else http://localhost:8080',
)
const deviceOptions = {
  device: option.list('ID', 'a device id (repeatable)'),
  'devices-file': option.text(
    'FILE',
    'device ids from a CSV (id column or one per line) or JSON file',
  ),
  'client-app': clientAppOption,
} as const

export function describeStatus(s: LocalStatus): string {
  const lines: string[] = []
  if (!s.running) lines.push(`client-application ${s.url}: not running`)
  else {
    const owner = s.owner ? `, owner ${s.owner}` : ''
    const state = s.initialized ? 'initialised' : 'not initialised'
    const version = s.version ? ` (version ${s.version})` : ''
    lines.push(`client-application ${s.url}: running${version}, ${s.mode ?? '?'}, ${state}${owner}`)
  }
  const rp = s.remoteProvisioning
  if (rp) {
    lines.push(
      `remote provisioning: ${rp.mode}${rp.hubId ? `, hub ${rp.hubId}` : ''}${rp.certificateAuthority ? `, certificate-authority ${rp.certificateAuthority}` : ''}`,
    )
  }
  if (s.ours) {
    const client = s.ours.clientId ? ` with client ${s.ours.clientId}` : ''
    const hub = s.ours.hub ? `, hub ${s.ours.hub}` : ''
    lines.push(
      `initialised by this console: ${s.ours.mode} for owner ${s.ours.owner}${client}${hub}, ${isoTime(s.ours.initializedAt)}`,
    )
  }
  for (const p of s.problems) lines.push(`problem (${p.problem}): ${p.message}`)
  lines.push(s.problems.length === 0 ? 'ready' : 'not ready')
  return `${lines.join('\n')}\n`
}

/** `--timeout 5`, `--timeout 0.5`: seconds, a fraction allowed. */
function seconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !Number.isFinite(n)) {
    throw new AppError('invalid_input', `--timeout takes seconds, such as 5 or 0.5, not ${text}`)
  }
  return n
}

function multicast(values: string[] | undefined): ('IPV4' | 'IPV6')[] | undefined {
  if (values === undefined) return undefined
  return values.map((v) => {
    const upper = v.trim().toUpperCase()
    if (upper !== 'IPV4' && upper !== 'IPV6') {
      throw new AppError('invalid_input', `--multicast takes ipv4 or ipv6, not ${v}`)
    }
    return upper
  })
}

const COLUMNS = ['ID', 'OWNERSHIP', 'NAME', 'TYPES', 'ENDPOINTS'] as const
const WIDTHS = [36, 11, 20, 24, 0]

function row(cells: readonly string[]): string {
  return `${cells
    .map((c, i) => (WIDTHS[i] ? c.padEnd(WIDTHS[i]!) : c))
    .join('  ')
    .trimEnd()}\n`
}

/** A discovered device without --json: one row of the table whose header came first. */
function deviceRow(item: JobItemView): string {
  const d = item.detail as Partial<LocalDeviceView>
  return row([
    item.key,
    d.ownershipStatus ?? '',
    d.name ?? '',
    (d.types ?? []).join(','),
    (d.endpoints ?? []).join(' '),
  ])
}

/** Device ids as positional arguments (`local own ID...`), or from --device / --devices-file. */
export const DEVICE_ARGS = { name: 'ID', many: true, optional: true } as const

export function localDeviceIds(
  args: string[],
  device: string[] | undefined,
  file: string | undefined,
): string[] {
  return readDeviceIds(
    [...args, ...(device ?? [])],
    file,
    'give device ids (ID...), --device ID or --devices-file FILE',
  )
}

/** own, disown, offboard: a job over the devices given, followed to its end. */
function devicesCommand(
  words: 'local own' | 'local disown' | 'local offboard',
  method: 'local.own' | 'local.disown' | 'local.offboard',
  summary: string,
  details: string,
): Command {
  return customCommand({
    words,
    summary,
    details: `${details} A job: one JSON line per device as it changes (\`{"key","state","message","deviceStatus","name"}\`), then \`{"summary":{"done","failed"}}\`. Exits 0 only when every device is done.`,
    options: deviceOptions,
    args: DEVICE_ARGS,
    examples: [
      `${words} 2d1f3a6e-9c0b-4e3f-8f1a-5b7c2d9e0a11 7c0e9b2a-4d3f-4a1e-9b8c-1f2e3d4c5b6a`,
      `${words} --devices-file bench.csv --client-app http://localhost:8080 --json`,
    ],
    run: async (ctx, v, args) => {
      const { jobId } = await ctx.call(method, {
        clientAppUrl: v['client-app'],
        deviceIds: localDeviceIds(args, v.device, v['devices-file']),
      })
      return followJob(ctx, jobId)
    },
  })
}

export const localCommands: Command[] = [
  methodCommand({
    words: 'local status',
    summary:
      'whether plgd client-application runs, is initialised and by whom; each problem with its fix',
    details:
      "Reads client-application's `/.well-known/configuration`. With `--json`: the `LocalStatus` (`running`, `initialized`, `mode`, `owner`, `ours`, `remoteProvisioning`, `problems` with `problem` and `message`). Exits 1 when there is a problem (not running, not initialised, another owner, no credentials), 0 when ready.",
    options: { 'client-app': clientAppOption },
    examples: ['local status', 'local status --client-app http://10.0.0.5:8080 --json'],
    method: 'local.status',
    input: (v) => ({ clientAppUrl: v['client-app'] }),
    human: describeStatus,
    exitCode: (s) => (s.problems.length > 0 ? 1 : 0),
  }),
  methodCommand({
    words: 'local init',
    summary:
      'initialise client-application for an owner (pre-shared key, or X509 with tokens of this issuer)',
    details:
      "In the mode client-application is configured for. Pre-shared key: the owner is the subject id and the console generates the key, keeps it only sealed in its vault and gives the same one again for the same URL and owner (client-application does not save it: after it restarts, run `local init` again). X509: `--client` is the client of this issuer whose tokens (carrying the owner) client-application will accept; the issuer's public keys are pushed to it; with remote provisioning its certificate request is signed by the certificate-authority of the hub profile `--hub`, which must list this issuer in its `authorization`. Refuses a client-application initialised by another owner unless `--force` (which resets it first). Prints the status afterwards.",
    options: {
      owner: option.required('OWNER', 'the device owner (PSK subject id; X509: the owner claim)'),
      client: option.text('CLIENT_ID', 'X509: the client of this issuer whose tokens it accepts'),
      hub: option.text(
        'NAME',
        'X509 with remote provisioning: the hub profile whose certificate-authority signs',
      ),
      force: option.flag('reset a client-application initialised by another owner first'),
      'client-app': clientAppOption,
    },
    examples: [
      'local init --owner alice',
      'local init --owner alice --client bench --hub lab --force --json',
    ],
    method: 'local.init',
    input: (v) => ({
      clientAppUrl: v['client-app'],
      owner: v.owner,
      clientId: v.client,
      hub: v.hub,
      force: v.force,
    }),
    human: describeStatus,
  }),
  methodCommand({
    words: 'local reset',
    summary:
      'reset client-application: its identity, cache and keys (the console keeps its sealed key)',
    options: { 'client-app': clientAppOption },
    examples: ['local reset', 'local reset --client-app http://localhost:8080 --json'],
    method: 'local.reset',
    input: (v) => ({ clientAppUrl: v['client-app'] }),
    human: describeStatus,
  }),
  customCommand({
    words: 'local discover',
    summary: 'find the devices on the network, streamed as they answer',
    details:
      'A job (`local.discover`): multicast IPv4 unless addresses are given (`--ip`, repeatable, `host[:port]`), or `--multicast`. Each device is printed as it answers: `{"id","name","types","ownershipStatus","endpoints","manufacturer","model"}`, then `{"summary":{"devices"}}`. Without `--json`, a table. `--timeout` is how long devices may take to answer (client-application\'s default otherwise).',
    options: {
      ip: option.list('ADDR', 'ask this address (host or host:port) directly'),
      multicast: option.list('ipv4|ipv6', 'multicast over IPv4 or IPv6 (repeatable)'),
      owned: option.flag('only devices owned through this client-application'),
      unowned: option.flag('only devices no one owns'),
      type: option.list('TYPE', 'only devices of this resource type'),
      timeout: option.text('SECONDS', 'how long devices may take to answer (fractions allowed)'),
      'client-app': clientAppOption,
    },
    examples: ['local discover --unowned --timeout 5', 'local discover --ip 192.168.1.20 --json'],
    run: async (ctx, v) => {
      if (v.owned && v.unowned) {
        throw new AppError('invalid_input', 'give --owned or --unowned, not both')
      }
      const { jobId } = await ctx.call('local.discover', {
        clientAppUrl: v['client-app'],
        ips: v.ip ?? [],
        multicast: multicast(v.multicast),
        ownership: v.owned ? 'OWNED' : v.unowned ? 'UNOWNED' : undefined,
        types: v.type ?? [],
        timeoutSeconds: seconds(v.timeout),
      })
      if (!ctx.globals.json) ctx.io.out(row(COLUMNS))
      return followJob(ctx, jobId, { line: (item) => item.detail, human: deviceRow })
    },
  }),
  devicesCommand(
    'local own',
    'local.own',
    'own devices through client-application (JustWorks or manufacturer certificate)',
    "A device already owned through this client-application is done; in X509 mode with remote provisioning the device's certificate is signed by the hub the client-application was initialised with.",
  ),
  devicesCommand(
    'local disown',
    'local.disown',
    'give devices up: they become unowned',
    'A device that is not owned fails, saying so.',
  ),
  devicesCommand(
    'local offboard',
    'local.offboard',
    "clear devices' cloud configuration (they leave the hub they were onboarded to)",
    'The device must be owned through this client-application.',
  ),
]
