import type { ParseArgsConfig } from 'node:util'
import { AppError } from '../../shared/errors.js'
import { GLOBAL_OPTIONS } from './commands/options.js'
import type { Command, IntegerUnit, OptionSpec, OptionSpecs } from './commands/spec.js'

/** From argv to a command and its checked values, driven by the command table alone. */

/** Flags that take no value: every other --option consumes the next word. */
export function booleanFlags(commands: readonly Command[]): Set<string> {
  const flags = new Set(['-h', '--version'])
  for (const options of [GLOBAL_OPTIONS, ...commands.map((c) => c.options)]) {
    for (const [name, spec] of Object.entries(options))
      if (spec.kind === 'flag') flags.add(`--${name}`)
  }
  return flags
}

/** The first `max` command words, wherever the options stand (`--data-dir D clients list`). */
export function commandWords(argv: readonly string[], flags: Set<string>, max = 2): string[] {
  const words: string[] = []
  for (let i = 0; i < argv.length && words.length < max; i++) {
    const arg = argv[i]!
    if (arg.startsWith('-')) {
      if (!flags.has(arg) && !arg.includes('=')) i++
    } else words.push(arg)
  }
  return words
}

/** The two-word command the words name, else a one-word one (`serve`). */
export function findCommand(
  commands: readonly Command[],
  words: readonly string[],
): Command | undefined {
  return (
    commands.find((c) => c.words === words.slice(0, 2).join(' ')) ??
    commands.find((c) => c.words === words[0])
  )
}

/** node:util parseArgs options for a table's options, aliases included. */
export function parseArgsOptions(options: OptionSpecs): NonNullable<ParseArgsConfig['options']> {
  const out: NonNullable<ParseArgsConfig['options']> = {}
  for (const [name, spec] of Object.entries(options)) {
    const config =
      spec.kind === 'flag'
        ? { type: 'boolean' as const, default: false }
        : { type: 'string' as const, multiple: spec.kind === 'list' }
    out[name] = name === 'help' ? { ...config, short: 'h' } : config
    if (spec.alias !== undefined) out[spec.alias] = config
  }
  return out
}

type RawValues = Record<string, string | boolean | (string | boolean)[] | undefined>

/**
 * Checks and converts parsed values by the table: an alias's values join its option's, required
 * options are present, integers and choices are what they say. Errors name the option.
 */
export function checkValues(options: OptionSpecs, raw: RawValues): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(options)) {
    values[name] = checkValue(name, spec, merged(raw, name, spec))
  }
  return values
}

function merged(raw: RawValues, name: string, spec: OptionSpec): RawValues[string] {
  const own = raw[name]
  const other = spec.alias === undefined ? undefined : raw[spec.alias]
  if (other === undefined || own === undefined) return own ?? other
  return spec.kind === 'list' ? [own, other].flat() : own
}

const UNIT_TEXT: Record<IntegerUnit, string> = {
  seconds: 'a whole number of seconds',
  'unix time': 'a unix time in whole seconds',
  port: 'a port number (0-65535)',
  count: 'a whole number',
}

function checkValue(name: string, spec: OptionSpec, value: RawValues[string]): unknown {
  switch (spec.kind) {
    case 'flag':
      return value === true
    case 'list':
      return value === undefined ? undefined : [value].flat().map(String)
    case 'text':
      if (spec.required && (typeof value !== 'string' || value === ''))
        throw new AppError('invalid_input', `--${name} is required`)
      return value
    case 'integer': {
      if (value === undefined) return undefined
      const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN
      if (!Number.isSafeInteger(n) || (spec.unit === 'port' && n > 65535))
        throw new AppError('invalid_input', `--${name} takes ${UNIT_TEXT[spec.unit]}, not ${value}`)
      return n
    }
    case 'choice':
      if (value === undefined) return undefined
      if (typeof value !== 'string' || !spec.choices.includes(value))
        throw new AppError(
          'invalid_input',
          `--${name} takes one of ${spec.choices.join(', ')}, not ${value}`,
        )
      return value
  }
}
