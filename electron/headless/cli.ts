import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { Envelope } from '../../shared/contract/index.js'
import { AppError, toErrorShape, type ErrorShape } from '../../shared/errors.js'
import { ControlSocket, callControl } from '../api/control-socket.js'
import { createDispatcher } from '../api/dispatcher.js'
import { createLogger, type Logger } from '../platform/logger.js'
import { packageVersion, rendererDir } from '../platform/install-paths.js'
import { boundOldGeneration } from '../platform/heap-bounds.js'
import { controlSocketPath, defaultDataDir, ensureDataDir } from '../platform/paths.js'
import type { VaultChoice } from '../secrets/vault.js'
import { openHeadlessApp } from './local-app.js'
import { printHuman } from './output.js'
import { serve } from './serve.js'

const USAGE = `Usage: plgd-m2m-console <command> [options]

Commands:
  serve                       run the token issuer (HTTPS) until SIGTERM/SIGINT
      --listen HOST:PORT      listen address (default 127.0.0.1:8443; port 0 = any free port)
      --public-host NAME      host name hubs use to reach the issuer (required off loopback)
      --insecure-http         plain HTTP, loopback only (tests, local scripts)
      --no-console            do not serve the console UI (otherwise on 127.0.0.1, a random port)
      --console-port PORT     port of the console UI (default: any free port)
      --station               an always-on issuer: advertise plgd_tokens_endpoint, so hubs
                              check every token against the ledger (revocation takes effect)
  clients add --id ID --owner OWNER [--audience A]... [--scope S]... [--lifetime SECONDS]
              [--claim NAME=VALUE]... [--typ JWT|at+jwt] [--allowed-owner O]... [--allow-device-id]
              [--jwks FILE | --jwks-uri URL | --trust-authority URL... [--trust-ca FILE]]
  clients list | show ID | rotate-secret ID [--grace SECONDS] | disable ID | enable ID | remove ID
  token issue --client ID [--audience A]... [--scope S]... [--lifetime SECONDS | --expiration UNIX]
              [--name NAME] [--device-id ID] [--owner OWNER]
  token list [--client ID] [--status all|active|expired|revoked] [--search TEXT] [--limit N] [--offset N]
  token revoke JTI...
  keys list | rotate [--alg ES256|ES384|ES512|RS256] | import FILE [--activate]
  audit list [--limit N] [--offset N] | verify | export [--out FILE]   (JSON Lines)
  settings show
  settings set [--listen-host H] [--port P] [--public-host NAME] [--owner-claim C]
               [--device-id-claim C] [--max-lifetime S] [--iat-backdate S] [--ledger-retention S]
               [--trusted-authority URL... [--trusted-ca FILE]]   (--trusted-authority '' clears)
  clock skew URL [--ca FILE]  how far another machine's clock (its HTTPS Date header) is from ours

Options for every command:
  --data-dir DIR              data directory (default: $PLGD_M2M_DATA_DIR or the per-user app folder)
  --json                      machine-readable output on stdout; logs and errors on stderr
  --vault keychain|passphrase where a new data directory keeps its wrapping key (default keychain)
  --vault-passphrase-file F   passphrase for a passphrase vault (or PLGD_M2M_VAULT_PASSPHRASE)
`

const GLOBAL_OPTIONS = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  vault: { type: 'string' },
  'vault-passphrase-file': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options']

interface Globals {
  dataDir: string
  json: boolean
  vault: VaultChoice | undefined
  vaultPassphraseFile: string | undefined
  log: Logger
}

type Values = Record<string, string | boolean | string[] | undefined>

interface Command {
  options: ParseArgsConfig['options']
  /** Number of positional arguments after the command words; -1: one or more. */
  positionals: number
  run(globals: Globals, values: Values, positionals: string[]): Promise<number>
}

const op =
  (method: string, toInput: (v: Values, p: string[]) => unknown): Command['run'] =>
  async (globals, values, positionals) => {
    const value = await runOperation(globals, method, toInput(values, positionals))
    printResult(globals, method, value)
    return 0
  }

const COMMANDS: Record<string, Command> = {
  serve: {
    options: {
      listen: { type: 'string' },
      'public-host': { type: 'string' },
      'insecure-http': { type: 'boolean', default: false },
      station: { type: 'boolean', default: false },
      'no-console': { type: 'boolean', default: false },
      'console-port': { type: 'string' },
    },
    positionals: 0,
    run: runServe,
  },
  'clients add': {
    options: {
      id: { type: 'string' },
      owner: { type: 'string' },
      audience: { type: 'string', multiple: true },
      scope: { type: 'string', multiple: true },
      lifetime: { type: 'string' },
      claim: { type: 'string', multiple: true },
      typ: { type: 'string' },
      'allowed-owner': { type: 'string', multiple: true },
      'allow-device-id': { type: 'boolean', default: false },
      jwks: { type: 'string' },
      'jwks-uri': { type: 'string' },
      'trust-authority': { type: 'string', multiple: true },
      'trust-ca': { type: 'string' },
    },
    positionals: 0,
    run: op('clients.add', (v) => ({
      id: required(v, 'id'),
      owner: v.owner ?? '',
      allowedOwners: list(v['allowed-owner']),
      allowDeviceId: v['allow-device-id'],
      auth: clientAuth(v),
      audiences: list(v.audience),
      scopes: list(v.scope),
      maxLifetimeSeconds: integer(v.lifetime, 'lifetime'),
      extraClaims: claims(v.claim),
      tokenType: v.typ,
    })),
  },
  'clients list': { options: {}, positionals: 0, run: op('clients.list', () => ({})) },
  'clients show': { options: {}, positionals: 1, run: op('clients.get', (_v, [id]) => ({ id })) },
  'clients rotate-secret': {
    options: { grace: { type: 'string' } },
    positionals: 1,
    run: op('clients.rotateSecret', (v, [id]) => ({
      id,
      graceSeconds: integer(v.grace, 'grace') ?? 0,
    })),
  },
  'clients disable': {
    options: {},
    positionals: 1,
    run: op('clients.setDisabled', (_v, [id]) => ({ id, disabled: true })),
  },
  'clients enable': {
    options: {},
    positionals: 1,
    run: op('clients.setDisabled', (_v, [id]) => ({ id, disabled: false })),
  },
  'clients remove': {
    options: {},
    positionals: 1,
    run: op('clients.remove', (_v, [id]) => ({ id })),
  },
  'token issue': {
    options: {
      client: { type: 'string' },
      audience: { type: 'string', multiple: true },
      scope: { type: 'string', multiple: true },
      lifetime: { type: 'string' },
      expiration: { type: 'string' },
      name: { type: 'string' },
      'device-id': { type: 'string' },
      owner: { type: 'string' },
    },
    positionals: 0,
    run: op('tokens.issue', (v) => ({
      deviceId: v['device-id'],
      owner: v.owner,
      clientId: required(v, 'client'),
      audiences: list(v.audience),
      scopes: list(v.scope),
      lifetimeSeconds: integer(v.lifetime, 'lifetime'),
      expiration: integer(v.expiration, 'expiration'),
      name: v.name,
    })),
  },
  'token revoke': {
    options: {},
    positionals: -1,
    run: op('tokens.revoke', (_v, ids) => ({ ids })),
  },
  'token list': {
    options: {
      client: { type: 'string' },
      status: { type: 'string' },
      search: { type: 'string' },
      limit: { type: 'string' },
      offset: { type: 'string' },
    },
    positionals: 0,
    run: op('tokens.list', (v) => ({
      clientId: v.client,
      status: v.status,
      search: v.search,
      limit: integer(v.limit, 'limit'),
      offset: integer(v.offset, 'offset'),
    })),
  },
  'audit list': {
    options: { limit: { type: 'string' }, offset: { type: 'string' } },
    positionals: 0,
    run: op('audit.list', (v) => ({
      limit: integer(v.limit, 'limit'),
      offset: integer(v.offset, 'offset'),
    })),
  },
  'audit verify': {
    options: {},
    positionals: 0,
    run: async (globals) => {
      const result = (await runOperation(globals, 'audit.verify', {})) as { ok: boolean }
      printResult(globals, 'audit.verify', result)
      return result.ok ? 0 : 3
    },
  },
  'audit export': {
    options: { out: { type: 'string' } },
    positionals: 0,
    run: async (globals, values) => {
      const { jsonl, entries } = (await runOperation(globals, 'audit.export', {})) as {
        jsonl: string
        entries: number
      }
      if (typeof values.out === 'string') {
        writeFileSync(values.out, jsonl, { mode: 0o600 })
        process.stderr.write(`wrote ${entries} entries to ${values.out}\n`)
      } else process.stdout.write(jsonl)
      return 0
    },
  },
  'settings show': { options: {}, positionals: 0, run: op('status.get', () => ({})) },
  'settings set': {
    options: {
      'listen-host': { type: 'string' },
      port: { type: 'string' },
      'public-host': { type: 'string' },
      'owner-claim': { type: 'string' },
      'device-id-claim': { type: 'string' },
      'max-lifetime': { type: 'string' },
      'iat-backdate': { type: 'string' },
      'ledger-retention': { type: 'string' },
      'trusted-authority': { type: 'string', multiple: true },
      'trusted-ca': { type: 'string' },
    },
    positionals: 0,
    run: op('settings.update', (v) => {
      const patch: Record<string, unknown> = {
        listenHost: v['listen-host'],
        port: integer(v.port, 'port'),
        publicHost: v['public-host'] === '' ? null : v['public-host'],
        ownerClaim: v['owner-claim'],
        deviceIdClaim: v['device-id-claim'],
        maxLifetimeSeconds: integer(v['max-lifetime'], 'max-lifetime'),
        iatBackdateSeconds: integer(v['iat-backdate'], 'iat-backdate'),
        ledgerRetentionSeconds: integer(v['ledger-retention'], 'ledger-retention'),
      }
      if (v['trusted-authority'] !== undefined) {
        const caPem =
          v['trusted-ca'] === undefined ? undefined : readInput(v['trusted-ca'] as string)
        patch.trustedAuthorities = list(v['trusted-authority'])
          .filter((a) => a !== '')
          .map((authority) => ({ authority, caPem }))
      }
      const given = Object.fromEntries(Object.entries(patch).filter(([, x]) => x !== undefined))
      if (Object.keys(given).length === 0)
        throw new AppError('invalid_input', 'settings set: nothing to change; see --help')
      return given
    }),
  },
  'clock skew': {
    options: { ca: { type: 'string' } },
    positionals: 1,
    run: op('clock.skew', (v, [url]) => ({
      url,
      caPem: v.ca === undefined ? undefined : readInput(v.ca as string),
    })),
  },
  'keys list': { options: {}, positionals: 0, run: op('keys.list', () => ({})) },
  'keys rotate': {
    options: { alg: { type: 'string' } },
    positionals: 0,
    run: op('keys.rotate', (v) => ({ alg: v.alg })),
  },
  'keys import': {
    options: { activate: { type: 'boolean', default: false } },
    positionals: 1,
    run: op('keys.import', (v, [file]) => ({ pem: readInput(file!), activate: v.activate })),
  },
}

/** Flags that take no value: everything else starting with -- consumes the next word. */
const BOOLEAN_FLAGS = new Set([
  '--no-console',
  '--json',
  '--help',
  '-h',
  '--insecure-http',
  '--station',
  '--activate',
  '--allow-device-id',
  '--version',
])

/** The command words, wherever the options stand (`--data-dir D clients list` works too). */
function commandWords(argv: string[]): string[] {
  const words: string[] = []
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const arg = argv[i]!
    if (arg.startsWith('-')) {
      if (!BOOLEAN_FLAGS.has(arg) && !arg.includes('=')) i++
    } else words.push(arg)
  }
  return words
}

export async function main(argv: string[]): Promise<number> {
  const words = commandWords(argv)
  const name = [words.join(' '), words[0] ?? ''].find((n) => n in COMMANDS)
  const json = argv.includes('--json')
  if (!name) {
    if (argv.includes('--version')) {
      process.stdout.write(`${version()}\n`)
      return 0
    }
    const asked =
      argv.length === 0 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help'
    if (asked) {
      process.stdout.write(USAGE)
      return 0
    }
    const unknown = words.join(' ') || argv.join(' ')
    if (json) return fail(json, new AppError('invalid_input', `unknown command: ${unknown}`), 2)
    process.stderr.write(`unknown command: ${unknown}\n\n${USAGE}`)
    return 2
  }
  const command = COMMANDS[name]!
  let values: Values
  let positionals: string[]
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    })
    values = parsed.values as Values
    positionals = parsed.positionals.slice(name.split(' ').length)
    if (values.help) {
      process.stdout.write(USAGE)
      return 0
    }
    if (
      command.positionals >= 0
        ? positionals.length !== command.positionals
        : positionals.length === 0
    ) {
      throw new AppError(
        'invalid_input',
        `${name} takes ${command.positionals || 'no'} argument(s); see --help`,
      )
    }
  } catch (err) {
    return fail(
      json,
      err instanceof AppError ? err : new AppError('invalid_input', (err as Error).message),
      2,
    )
  }
  const vault = values.vault as string | undefined
  if (vault !== undefined && vault !== 'keychain' && vault !== 'passphrase') {
    return fail(json, new AppError('invalid_input', '--vault is keychain or passphrase'), 2)
  }
  const globals: Globals = {
    dataDir: resolve((values['data-dir'] as string | undefined) ?? defaultDataDir()),
    json,
    vault,
    vaultPassphraseFile: values['vault-passphrase-file'] as string | undefined,
    log: createLogger({ json }),
  }
  try {
    return await command.run(globals, values, positionals)
  } catch (err) {
    // Only the unexpected is logged: the running issuer already logged what it reported.
    const reported = err instanceof ReportedError || (err instanceof AppError && err.expose)
    if (!reported) globals.log.error('command failed', { error: err })
    return fail(json, err, 1)
  }
}

/**
 * Runs one contract method: through the running instance's control socket when one holds the
 * data directory (its change takes effect at once), else directly on the data directory.
 */
async function runOperation(globals: Globals, method: string, input: unknown): Promise<unknown> {
  const socketPath = controlSocketPath(ensureDataDir(globals.dataDir))
  // Another CLI may hold the data directory for a moment: wait for it rather than fail.
  for (let attempt = 0; ; attempt++) {
    let reply: Envelope<unknown> | undefined
    try {
      reply =
        (await callControl(socketPath, method, input)) ??
        (await runLocally(globals, socketPath, method, input))
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'data_dir_locked') || attempt >= 50) throw err
    }
    const busy = reply !== undefined && !reply.ok && reply.error.code === 'data_dir_locked'
    if (reply !== undefined && (!busy || attempt >= 50)) {
      if (!reply.ok) throw new ReportedError(reply.error)
      return reply.value
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function runLocally(
  globals: Globals,
  socketPath: string,
  method: string,
  input: unknown,
): Promise<Envelope<unknown>> {
  const lock = await ControlSocket.acquire(socketPath)
  try {
    const app = await openHeadlessApp(globals)
    try {
      return await createDispatcher(app, 'cli')(method, input)
    } finally {
      await app.close()
    }
  } finally {
    await lock.close()
  }
}

async function runServe(globals: Globals, values: Values): Promise<number> {
  const running = await serve({
    dataDir: globals.dataDir,
    log: globals.log,
    listen: values.listen === undefined ? undefined : parseListen(values.listen as string),
    publicHost: values['public-host'] as string | undefined,
    insecureHttp: values['insecure-http'] === true,
    station: values.station === true,
    console:
      values['no-console'] === true
        ? undefined
        : consoleBuild(globals.log, integer(values['console-port'], 'console-port')),
    vault: globals.vault,
    vaultPassphraseFile: globals.vaultPassphraseFile,
  })
  const { ready } = running
  // The young generation is bounded from the first line (bin/plgd-m2m-console.js).
  const releaseOldGeneration = boundOldGeneration()
  if (globals.json) process.stdout.write(`${JSON.stringify(ready)}\n`)
  else {
    process.stdout.write(
      `Issuer ready at ${ready.issuer}\n  token endpoint  ${ready.tokenEndpoint}\n  JWKS            ${ready.jwksUri}\n` +
        (ready.caCertFile
          ? `  CA certificate  ${ready.caCertFile} (give it to hubs as their CA pool)\n`
          : '') +
        (ready.consoleUrl
          ? `  console         ${ready.consoleUrl}\n                  (open it in a browser; the link is the session key: keep it private)\n`
          : '') +
        'Stop with Ctrl+C.\n',
    )
  }
  await new Promise<void>((resolveStop) => {
    const stop = (signal: string): void => {
      globals.log.info('stopping', { signal })
      resolveStop()
    }
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
  })
  await running.stop()
  releaseOldGeneration()
  return 0
}

class ReportedError extends Error {
  constructor(readonly shape: ErrorShape) {
    super(shape.message)
  }
}

function fail(json: boolean, err: unknown, exitCode: number): number {
  const shape = err instanceof ReportedError ? err.shape : toErrorShape(err)
  if (json) process.stderr.write(`${JSON.stringify({ error: shape })}\n`)
  else process.stderr.write(`error: ${shape.message} (${shape.code})\n`)
  return exitCode
}

function printResult(globals: Globals, method: string, value: unknown): void {
  if (globals.json) {
    const out =
      method === 'clients.add' || method === 'clients.rotateSecret'
        ? flattenSecret(value as { client: { id: string }; clientSecret?: string })
        : value
    process.stdout.write(`${JSON.stringify(out)}\n`)
  } else {
    process.stdout.write(printHuman(method, value))
  }
}

/** Other tools read `clientId` and `clientSecret` at the top level; no secret, no field. */
function flattenSecret(v: {
  client: { id: string }
  clientSecret?: string
}): Record<string, unknown> {
  return v.clientSecret === undefined
    ? { clientId: v.client.id, client: v.client }
    : { clientId: v.client.id, clientSecret: v.clientSecret, client: v.client }
}

/** --jwks FILE / --jwks-uri URL: private_key_jwt; --trust-authority URL: plgd user assertions. */
function clientAuth(v: Values): unknown {
  const authorities = list(v['trust-authority'])
  const chosen = [v.jwks !== undefined, v['jwks-uri'] !== undefined, authorities.length > 0]
  if (chosen.filter(Boolean).length > 1) {
    throw new AppError('invalid_input', 'choose one of --jwks, --jwks-uri and --trust-authority')
  }
  if (v.jwks !== undefined) {
    const text = readInput(v.jwks as string)
    try {
      return { method: 'private_key_jwt', jwks: JSON.parse(text) as unknown }
    } catch {
      throw new AppError('invalid_input', `${v.jwks as string} is not a JSON Web Key Set`)
    }
  }
  if (v['jwks-uri'] !== undefined) return { method: 'private_key_jwt', jwksUri: v['jwks-uri'] }
  if (authorities.length > 0) {
    const caPem = v['trust-ca'] === undefined ? undefined : readInput(v['trust-ca'] as string)
    return {
      method: 'user_assertion',
      authorities: authorities.map((authority) => ({ authority, caPem })),
    }
  }
  return { method: 'client_secret' }
}

/** The renderer build next to the compiled CLI (dist/renderer); none in a source-only checkout. */
function consoleBuild(
  log: Logger,
  port: number | undefined,
): { staticDir: string; port?: number } | undefined {
  const staticDir = rendererDir()
  if (existsSync(join(staticDir, 'index.html')))
    return port === undefined ? { staticDir } : { staticDir, port }
  log.warn('the console UI is not built (npm run build): serving the issuer only')
  return undefined
}

function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value)
  const port = Number(m?.[3])
  if (!m || port > 65535)
    throw new AppError('invalid_input', `--listen takes HOST:PORT, not ${value}`)
  return { host: (m[1] ?? m[2])!, port }
}

function required(values: Values, name: string): string {
  const v = values[name]
  if (typeof v !== 'string' || v === '')
    throw new AppError('invalid_input', `--${name} is required`)
  return v
}

function list(value: Values[string]): string[] {
  return Array.isArray(value) ? value : []
}

function integer(value: Values[string], name: string): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || !/^\d+$/.test(value)) {
    throw new AppError('invalid_input', `--${name} takes a whole number of seconds`)
  }
  return Number(value)
}

/** --claim NAME=VALUE; VALUE is JSON when it parses as JSON, else a string. */
function claims(value: Values[string]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const item of list(value)) {
    const eq = item.indexOf('=')
    if (eq <= 0) throw new AppError('invalid_input', `--claim takes NAME=VALUE, not ${item}`)
    const raw = item.slice(eq + 1)
    let parsed: unknown = raw
    try {
      parsed = JSON.parse(raw)
    } catch {
      // a plain string
    }
    out[item.slice(0, eq)] = parsed
  }
  return out
}

function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8')
  } catch (cause) {
    throw new AppError('invalid_input', `cannot read ${file}`, { cause })
  }
}

function version(): string {
  return packageVersion()
}
