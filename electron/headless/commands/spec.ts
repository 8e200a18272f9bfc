import type { MethodInput, MethodName, MethodOutput } from '../../../shared/contract/index.js'
import type { Logger } from '../../platform/logger.js'
import type { VaultChoice } from '../../secrets/vault.js'

/**
 * The shape of the CLI's command table. Each domain file in this folder declares its commands
 * with these builders; cli.ts parses and dispatches from the same entries, and usage.ts and
 * cli-docs.ts render the help text, docs/cli.md and the README's index from them.
 */

interface OptionBase {
  help: string
  /** An older name still accepted, shown in help as an alias. */
  alias?: string
}
export interface FlagOption extends OptionBase {
  kind: 'flag'
}
export interface TextOption<Required extends boolean = boolean> extends OptionBase {
  kind: 'text'
  /** Placeholder in help, e.g. `FILE`. */
  value: string
  required: Required
}
export interface ListOption extends OptionBase {
  kind: 'list'
  value: string
}
/** What an integer option counts, which names its placeholder and its error message. */
export type IntegerUnit = 'seconds' | 'unix time' | 'port' | 'count'
export interface IntegerOption extends OptionBase {
  kind: 'integer'
  unit: IntegerUnit
}
export interface ChoiceOption<C extends string = string> extends OptionBase {
  kind: 'choice'
  choices: readonly C[]
}
export type OptionSpec = FlagOption | TextOption | ListOption | IntegerOption | ChoiceOption
export type OptionSpecs = Readonly<Record<string, OptionSpec>>

/** The value an option has once parsed and checked: absent options are undefined (flags false). */
export type OptionValue<S extends OptionSpec> = S extends FlagOption
  ? boolean
  : S extends TextOption<true>
    ? string
    : S extends TextOption
      ? string | undefined
      : S extends ListOption
        ? string[] | undefined
        : S extends IntegerOption
          ? number | undefined
          : S extends ChoiceOption<infer C>
            ? C | undefined
            : never
export type OptionValues<O extends OptionSpecs> = { -readonly [K in keyof O]: OptionValue<O[K]> }

export const option = {
  flag: (help: string): FlagOption => ({ kind: 'flag', help }),
  text: (value: string, help: string): TextOption<false> => ({
    kind: 'text',
    value,
    help,
    required: false,
  }),
  /** A text option the command cannot run without (`--NAME is required`). */
  required: (value: string, help: string): TextOption<true> => ({
    kind: 'text',
    value,
    help,
    required: true,
  }),
  /** Repeatable: every occurrence adds one value. */
  list: (value: string, help: string): ListOption => ({ kind: 'list', value, help }),
  integer: (unit: IntegerUnit, help: string): IntegerOption => ({ kind: 'integer', unit, help }),
  choice: <C extends string>(choices: readonly C[], help: string): ChoiceOption<C> => ({
    kind: 'choice',
    choices,
    help,
  }),
}

/**
 * Positional arguments after the command words: exactly one, or one or more; `optional` with
 * `many`: none or more (the same values may also come from options, `--devices-file` say).
 */
export interface ArgSpec {
  name: string
  many?: boolean
  optional?: boolean
}
export type ArgsOf<A extends ArgSpec | undefined> = A extends ArgSpec
  ? A['many'] extends true
    ? A['optional'] extends true
      ? string[]
      : [string, ...string[]]
    : [string]
  : []

/** `ID...`, or `[ID...]` when none may be given. */
export function argLabel(spec: ArgSpec): string {
  const label = `${spec.name}${spec.many ? '...' : ''}`
  return spec.optional ? `[${label}]` : label
}

export interface Globals {
  dataDir: string
  json: boolean
  vault: VaultChoice | undefined
  vaultPassphraseFile: string | undefined
  log: Logger
}

export interface Io {
  out(text: string): void
  err(text: string): void
}

export interface CommandContext {
  globals: Globals
  io: Io
  /** Runs a contract method: through a running instance's control socket, else locally. */
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>
}

/** What describes a command in help and docs. */
interface CommandDoc<O extends OptionSpecs, A extends ArgSpec | undefined> {
  /** `clients add`: one or two words. */
  words: string
  /** One line, for the command list. */
  summary: string
  /** More, for docs/cli.md (Markdown) and the command's --help (as plain text). */
  details?: string
  args?: A
  options: O
  /** Whole command lines without the program name, e.g. `clients list --json`. */
  examples: readonly [string, ...string[]]
}

/** A command as the dispatcher sees it, whatever it calls. */
export interface Command extends CommandDoc<OptionSpecs, ArgSpec | undefined> {
  run(ctx: CommandContext, values: Record<string, unknown>, args: string[]): Promise<number>
}

/** A command that is one contract method: its input and its output are typed by the method. */
export interface MethodCommandSpec<
  M extends MethodName,
  O extends OptionSpecs,
  A extends ArgSpec | undefined,
> extends CommandDoc<O, A> {
  method: M
  input(values: OptionValues<O>, args: ArgsOf<A>): MethodInput<M>
  /** Human-readable output; --json prints the value itself unless `json` says otherwise. */
  human(value: MethodOutput<M>): string
  json?(value: MethodOutput<M>): unknown
  /** Takes over output entirely (e.g. writing a file), in both modes. */
  emit?(value: MethodOutput<M>, values: OptionValues<O>, io: Io): void
  exitCode?(value: MethodOutput<M>): number
}

export function methodCommand<
  M extends MethodName,
  const O extends OptionSpecs,
  const A extends ArgSpec | undefined = undefined,
>(spec: MethodCommandSpec<M, O, A>): Command {
  return {
    ...spec,
    async run(ctx, values, args) {
      // The dispatcher checked values against `options` and args against `args`.
      const typedValues = values as OptionValues<O>
      const value = await ctx.call(spec.method, spec.input(typedValues, args as ArgsOf<A>))
      if (spec.emit) spec.emit(value, typedValues, ctx.io)
      else if (ctx.globals.json)
        ctx.io.out(`${JSON.stringify(spec.json ? spec.json(value) : value)}\n`)
      else ctx.io.out(spec.human(value))
      return spec.exitCode?.(value) ?? 0
    },
  }
}

/** A command that is not one method call (serve). */
export function customCommand<
  const O extends OptionSpecs,
  const A extends ArgSpec | undefined = undefined,
>(
  spec: CommandDoc<O, A> & {
    run(ctx: CommandContext, values: OptionValues<O>, args: ArgsOf<A>): Promise<number>
  },
): Command {
  return spec as unknown as Command
}
