import { AppError } from '../../shared/errors.js'

/**
 * A `.env` file every reader takes the same way: dotenv, docker's `--env-file` and a shell's
 * `. ./file`. Each value is single-quoted (no expansion, `#` kept); a value holding a single
 * quote or a line break has no such spelling, so it is refused, naming the JSON export instead.
 */
export function envFile(entries: Record<string, string>, comments: readonly string[] = []): string {
  const lines = comments.map((c) => `# ${c}`)
  for (const [key, value] of Object.entries(entries)) {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(key)) throw new TypeError(`not an environment name: ${key}`)
    lines.push(`${key}=${envValue(key, value)}`)
  }
  return `${lines.join('\n')}\n`
}

export function envValue(key: string, value: string): string {
  if (/['\r\n\0]/.test(value)) {
    throw new AppError(
      'invalid_input',
      `${key} holds a quote or a line break, which a .env file cannot carry safely: export --format json instead`,
    )
  }
  return `'${value}'`
}
