import { GLOBAL_OPTIONS } from './commands/options.js'
import {
  argLabel,
  type Command,
  type IntegerUnit,
  type OptionSpec,
  type OptionSpecs,
} from './commands/spec.js'

/** The CLI's help text, rendered from the command table (never written by hand). */

export const PROGRAM = 'plgd-m2m-console'
const WIDTH = 100
const LABEL_COLUMN = 32

const UNIT_PLACEHOLDER: Record<IntegerUnit, string> = {
  seconds: 'SECONDS',
  'unix time': 'UNIX',
  port: 'PORT',
  count: 'N',
}

/** `--lifetime SECONDS`, `--audience AUDIENCE...`, `--typ JWT|at+jwt`, `--station`. */
export function optionLabel(name: string, spec: OptionSpec): string {
  switch (spec.kind) {
    case 'flag':
      return `--${name}`
    case 'list':
      return `--${name} ${spec.value}...`
    case 'text':
      return `--${name} ${spec.value}`
    case 'integer':
      return `--${name} ${UNIT_PLACEHOLDER[spec.unit]}`
    case 'choice':
      return `--${name} ${spec.choices.join('|')}`
  }
}

/** `clients add --id ID [options]`: the words, required options, arguments, then the rest. */
export function synopsis(command: Command): string {
  const entries = Object.entries(command.options)
  const required = entries
    .filter(([, spec]) => spec.kind === 'text' && spec.required)
    .map(([name, spec]) => optionLabel(name, spec))
  const args = command.args ? [argLabel(command.args)] : []
  const optional = required.length < entries.length ? ['[options]'] : []
  return [command.words, ...required, ...args, ...optional].join(' ')
}

/** Markdown to plain text: help on a terminal shows no backticks. */
export function plain(markdown: string): string {
  return markdown.replace(/`/g, '')
}

/** Words filled into lines of at most `width`, each after `indent` spaces. */
export function wrap(text: string, indent: number, width = WIDTH): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') lines.push(line)
  return lines.map((l) => `${' '.repeat(indent)}${l}`)
}

/** `  LABEL   text`, the text wrapped in its column (or under a label too long for it). */
function row(label: string, text: string): string[] {
  const body = wrap(plain(text), LABEL_COLUMN)
  const head = `  ${label}`
  if (body.length === 0) return [head]
  if (head.length + 2 > LABEL_COLUMN) return [head, ...body]
  return [head.padEnd(LABEL_COLUMN) + body[0]!.trimStart(), ...body.slice(1)]
}

function optionRows(options: OptionSpecs): string[] {
  return Object.entries(options).flatMap(([name, spec]) =>
    row(
      optionLabel(name, spec),
      spec.alias === undefined ? spec.help : `${spec.help} (also --${spec.alias})`,
    ),
  )
}

function globalBlock(): string[] {
  return ['Options for every command:', ...optionRows(GLOBAL_OPTIONS)]
}

/** `plgd-m2m-console --help`: every command with its summary, and the options all take. */
export function renderUsage(commands: readonly Command[]): string {
  const lines = [
    `Usage: ${PROGRAM} <command> [options]`,
    `       ${PROGRAM} <command> --help      that command's options and an example`,
    `       ${PROGRAM} --version`,
    '',
    'Commands:',
    ...commands.flatMap((c) => {
      const args = c.args ? ` ${argLabel(c.args)}` : ''
      return row(`${c.words}${args}`, c.summary)
    }),
    '',
    ...globalBlock(),
  ]
  return `${lines.join('\n')}\n`
}

/** `plgd-m2m-console clients add --help`. */
export function renderCommandHelp(command: Command): string {
  const about = command.details ? `${command.summary}. ${command.details}` : command.summary
  const options = optionRows(command.options)
  const lines = [
    `Usage: ${PROGRAM} ${synopsis(command)}`,
    '',
    ...wrap(plain(about), 0),
    ...(options.length > 0 ? ['', 'Options:', ...options] : []),
    '',
    command.examples.length > 1 ? 'Examples:' : 'Example:',
    ...command.examples.map((e) => `  ${PROGRAM} ${e}`),
    '',
    ...globalBlock(),
  ]
  return `${lines.join('\n')}\n`
}
