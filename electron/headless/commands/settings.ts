import type { MethodInput } from '../../../shared/contract/index.js'
import { AppError } from '../../../shared/errors.js'
import { prettyJson } from '../output.js'
import { trustedAuthorityOption, trustedCaOption } from './options.js'
import { methodCommand, option, type OptionValues } from './spec.js'
import { readInput } from './values.js'

const setOptions = {
  'listen-host': option.text('HOST', 'the address serve listens on (`serve --listen` overrides)'),
  port: option.integer('port', 'the port serve listens on (`serve --listen` overrides)'),
  'public-host': option.text(
    'NAME',
    "the name hubs use, put in the certificate and the issuer URL; `''` clears it",
  ),
  'owner-claim': option.text('CLAIM', 'the claim that carries the owner'),
  'device-id-claim': option.text('CLAIM', 'the claim that carries a device id'),
  'max-lifetime': option.integer('seconds', "cap on any token's lifetime"),
  'iat-backdate': option.integer(
    'seconds',
    '`iat` is set this far in the past, for hubs whose clock runs behind (see `clock skew`)',
  ),
  'ledger-retention': option.integer(
    'seconds',
    'how long expired records stay in the ledger before the hourly purge',
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
    maxLifetimeSeconds: v['max-lifetime'],
    iatBackdateSeconds: v['iat-backdate'],
    ledgerRetentionSeconds: v['ledger-retention'],
    jobConcurrency: v['job-concurrency'],
    clientAppUrl: v['client-app'],
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
  return given
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
    human: prettyJson,
  }),
]
