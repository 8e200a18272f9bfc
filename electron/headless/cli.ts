import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { MethodOutput } from '../../shared/contract/index.js'
import { AppError, toErrorShape } from '../../shared/errors.js'
import { createLogger } from '../platform/logger.js'
import { packageVersion } from '../platform/install-paths.js'
import { defaultDataDir } from '../platform/paths.js'
import type { VaultChoice } from '../secrets/vault.js'
import {
  booleanFlags,
  checkValues,
  commandWords,
  findCommand,
  parseArgsOptions,
} from './command-line.js'
import { COMMANDS } from './commands/index.js'
import { GLOBAL_OPTIONS } from './commands/options.js'
import type { Command, CommandContext, Globals, Io } from './commands/spec.js'
import { OperationSession, ReportedError } from './operation.js'
import { renderCommandHelp, renderUsage } from './usage.js'

/**
 * The CLI: finds the command in the table (electron/headless/commands/), parses its options,
 * runs it and maps errors to exit codes: 2 for a command line that cannot be parsed, 1 for a
 * failed command, and what the command itself returns (`audit verify`: 3 when tampered).
 */

const FLAGS = booleanFlags(COMMANDS)

/** What a command line runs against: the terminal and the contract's methods. */
export interface CliEnvironment {
  io: Io
  operation(globals: Globals, method: string, input: unknown): Promise<unknown>
}

export async function main(argv: string[]): Promise<number> {
  // One session per command line: a command that starts a job keeps the app open to run it.
  const session = new OperationSession()
  try {
    return await runCommandLine(argv, {
      io: {
        out: (text) => void process.stdout.write(text),
        err: (text) => void process.stderr.write(text),
      },
      operation: session.call,
    })
  } finally {
    await session.close()
  }
}

export async function runCommandLine(
  argv: string[],
  { io, operation }: CliEnvironment,
): Promise<number> {
  const json = argv.includes('--json')
  const fail = (err: unknown, exitCode: number): number => report(io, json, err, exitCode)
  if (argv[0] === 'help') {
    const asked = findCommand(COMMANDS, commandWords(argv.slice(1), FLAGS))
    io.out(asked ? renderCommandHelp(asked) : renderUsage(COMMANDS))
    return 0
  }
  const words = commandWords(argv, FLAGS)
  const command = findCommand(COMMANDS, words)
  if (!command) {
    if (argv.includes('--version')) {
      io.out(`${packageVersion()}\n`)
      return 0
    }
    if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
      io.out(renderUsage(COMMANDS))
      return 0
    }
    const unknown = words.join(' ') || argv.join(' ')
    if (json) return fail(new AppError('invalid_input', `unknown command: ${unknown}`), 2)
    io.err(`unknown command: ${unknown}\n\n${renderUsage(COMMANDS)}`)
    return 2
  }
  let raw: Record<string, string | boolean | (string | boolean)[] | undefined>
  let args: string[]
  let globalValues: Record<string, unknown>
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...parseArgsOptions(GLOBAL_OPTIONS), ...parseArgsOptions(command.options) },
      allowPositionals: true,
      strict: true,
    })
    raw = parsed.values
    if (raw.help === true) {
      io.out(renderCommandHelp(command))
      return 0
    }
    args = parsed.positionals.slice(command.words.split(' ').length)
    checkArgCount(command, args)
    globalValues = checkValues(GLOBAL_OPTIONS, raw)
  } catch (err) {
    return fail(
      err instanceof AppError ? err : new AppError('invalid_input', (err as Error).message),
      2,
    )
  }
  const globals: Globals = {
    dataDir: resolve((globalValues['data-dir'] as string | undefined) ?? defaultDataDir()),
    json,
    vault: globalValues.vault as VaultChoice | undefined,
    vaultPassphraseFile: globalValues['vault-passphrase-file'] as string | undefined,
    log: createLogger({ json }),
  }
  const ctx: CommandContext = {
    globals,
    io,
    call: async (method, input) =>
      (await operation(globals, method, input)) as MethodOutput<typeof method>,
  }
  try {
    return await command.run(ctx, checkValues(command.options, raw), args)
  } catch (err) {
    // Only the unexpected is logged: the running issuer already logged what it reported.
    const reported = err instanceof ReportedError || (err instanceof AppError && err.expose)
    if (!reported) globals.log.error('command failed', { error: err })
    return fail(err, 1)
  }
}

function checkArgCount(command: Command, args: string[]): void {
  const spec = command.args
  const fits =
    spec === undefined
      ? args.length === 0
      : spec.many
        ? spec.optional === true || args.length > 0
        : args.length === 1
  if (fits) return
  const wanted =
    spec === undefined
      ? 'no arguments'
      : spec.many
        ? `one or more ${spec.name} arguments`
        : `one ${spec.name} argument`
  throw new AppError('invalid_input', `${command.words} takes ${wanted}; see --help`)
}

function report(io: Io, json: boolean, err: unknown, exitCode: number): number {
  const shape = err instanceof ReportedError ? err.shape : toErrorShape(err)
  if (json) io.err(`${JSON.stringify({ error: shape })}\n`)
  else io.err(`error: ${shape.message} (${shape.code})\n`)
  return exitCode
}
