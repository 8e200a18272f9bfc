import {
  AUTHORITY_CHANGE_WARNING,
  RESTART_HINT,
  updateSettingsInput,
  type MethodInput,
  type SettingsUpdateView,
} from '../../../shared/contract/index.js'
import { AppError } from '../../../shared/errors.js'
import { prettyJson } from '../output.js'
import { trustedAuthorityOption, trustedCaOption } from './options.js'
import { methodCommand, option, type OptionValues } from './spec.js'
import { durationSeconds, lifetimeSeconds, readInput } from './values.js'

const setOptions = {
  'listen-host': option.text('HOST', 'the address serve listens on (`serve --listen` overrides)'),
  port: option.integer('port', 'the port serve listens on (`serve --listen` overrides)'),
  'public-host': option.text(
    'NAME',
    "the name hubs use, put in the certificate and the issuer URL; `''` clears it",
  ),
  'owner-claim': option.text('CLAIM', 'the claim that carries the owner'),
  'device-id-claim': option.text('CLAIM', 'the claim that carries a device id'),
  'max-lifetime': option.text('DURATION', "cap on any token's lifetime: 600, 15m, 2h or 1d"),
  'iat-backdate': option.text(
    'DURATION',
    '`iat` is set this far in the past (5, 30s, 1m), for hubs whose clock runs behind (see `clock skew`)',
  ),
  'ledger-retention': option.text(
    'DURATION',
    'how long expired records stay in the ledger before the hourly purge (e.g. 30d)',
  ),
  'trusted-authority': {
    ...trustedAuthorityOption,
    help: "an authority whose users may call the tokens API; the ones given replace the list, `''` clears it",
  },
  'trusted-ca': trustedCaOption('the CA certificate (PEM) of the trusted authorities'),
  'job-concurrency': option.integer(
    'count',
    'requests in flight per bulk job (configs apply, devices list) unless it sets its own (--concurrency); default 16',
  ),
  station: option.flag(
    "store station mode: an always-on issuer whose discovery advertises plgd's tokens endpoint, so hubs honour revocations (`serve --station` turns it on for one run)",
  ),
  'no-station': option.flag(
    'store laptop mode: hubs validate tokens offline and never see a revocation',
  ),
  'client-app': option.text(
    'URL',
    'the plgd client-application `local` commands use unless they give --client-app (default http://localhost:8080)',
  ),
} as const

function settingsPatch(v: OptionValues<typeof setOptions>): MethodInput<'settings.update'> {
  const patch: MethodInput<'settings.update'> = {
    listenHost: v['listen-host'],
    port: v.port,
    publicHost: v['public-host'] === '' ? null : v['public-host'],
    ownerClaim: v['owner-claim'],
    deviceIdClaim: v['device-id-claim'],
    maxLifetimeSeconds: lifetimeSeconds('--max-lifetime', v['max-lifetime']),
    iatBackdateSeconds: durationSeconds('--iat-backdate', v['iat-backdate']),
    ledgerRetentionSeconds: durationSeconds('--ledger-retention', v['ledger-retention']),
    jobConcurrency: v['job-concurrency'],
    clientAppUrl: v['client-app'],
    station: stationOf(v.station, v['no-station']),
  }
  const authorities = v['trusted-authority']
  if (authorities !== undefined) {
    const caPem = v['trusted-ca'] === undefined ? undefined : readInput(v['trusted-ca'])
    patch.trustedAuthorities = authorities
      .filter((a) => a !== '')
      .map((authority) => ({ authority, caPem }))
  }
  const given = Object.fromEntries(Object.entries(patch).filter(([, x]) => x !== undefined))
  if (Object.keys(given).length === 0)
    throw new AppError('invalid_input', 'settings set: nothing to change; see --help')
  refuseInvalid(given)
  return given
}

/** --station / --no-station: a flag each, so `--station` reads the same as on `serve`. */
function stationOf(on: boolean, off: boolean): boolean | undefined {
  if (on && off) throw new AppError('invalid_input', 'give --station or --no-station, not both')
  return on ? true : off ? false : undefined
}

/** The option each settings field comes from, so a refusal names what the user typed. */
const OPTION_OF: Record<string, string> = {
  listenHost: '--listen-host',
  port: '--port',
  publicHost: '--public-host',
  ownerClaim: '--owner-claim',
  deviceIdClaim: '--device-id-claim',
  maxLifetimeSeconds: '--max-lifetime',
  iatBackdateSeconds: '--iat-backdate',
  ledgerRetentionSeconds: '--ledger-retention',
  trustedAuthorities: '--trusted-authority',
  jobConcurrency: '--job-concurrency',
  clientAppUrl: '--client-app',
  station: '--station',
}

/** Checked here as well as by the method: its message would name the field, not the option. */
function refuseInvalid(patch: MethodInput<'settings.update'>): void {
  const parsed = updateSettingsInput.safeParse(patch)
  if (parsed.success) return
  const issue = parsed.error.issues[0]!
  const field = String(issue.path[0] ?? '')
  const given = (patch as Record<string, unknown>)[field]
  throw new AppError(
    'invalid_input',
    `${OPTION_OF[field] ?? field} takes ${issue.message}${typeof given === 'string' || typeof given === 'number' ? `, not ${String(given)}` : ''}`,
  )
}

/** The settings as they are now, then what the change means: a restart, a new authority URL. */
export function settingsSetText(view: SettingsUpdateView): string {
  const { effects, ...settings } = view
  const notes: string[] = []
  if (effects.authority) {
    notes.push(
      `Warning: the issuer URL changes from ${effects.authority.from} to ${effects.authority.to}. ${AUTHORITY_CHANGE_WARNING}.`,
    )
  }
  if (effects.restartNeeded.length > 0) {
    notes.push(`${effects.restartNeeded.join(', ')} changed: ${RESTART_HINT}.`)
  }
  return prettyJson(settings) + notes.map((n) => `\n${n}\n`).join('')
}

export const settingsCommands = [
  methodCommand({
    words: 'settings show',
    summary: "the issuer's settings",
    options: {},
    examples: ['settings show --json'],
    method: 'status.get',
    input: () => ({}),
    human: (status) => prettyJson(status.settings),
  }),
  methodCommand({
    words: 'settings set',
    summary: "change the issuer's settings",
    details: 'Only the options given change; it prints the settings as they are now.',
    options: setOptions,
    examples: ['settings set --public-host console.example.lan --iat-backdate 5'],
    method: 'settings.update',
    input: settingsPatch,
    human: settingsSetText,
  }),
]
