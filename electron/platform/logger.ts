/** Field names whose values never reach a log line. */
const SECRET_FIELD = /secret|password|passphrase|token|assertion|authorization|key|pepper/i

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

/**
 * The only way the app writes diagnostics: to stderr (stdout belongs to `--json` output), with
 * any field that could hold a secret replaced by "[redacted]".
 */
export function createLogger(options: {
  json: boolean
  level?: LogLevel
  write?: (line: string) => void
}): Logger {
  const min = RANK[options.level ?? 'info']
  const write = options.write ?? ((line: string) => process.stderr.write(line))
  const log = (level: LogLevel, message: string, fields: Record<string, unknown> = {}): void => {
    if (RANK[level] < min) return
    const safe = redact(fields)
    if (options.json) {
      // Fields first: a field named like `level` or `message` cannot replace the real one.
      write(`${JSON.stringify({ ...safe, time: new Date().toISOString(), level, message })}\n`)
    } else {
      const extra = Object.entries(safe).map(
        ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
      )
      write(`${level}: ${[message, ...extra].join(' ')}\n`)
    }
  }
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  }
}

export function redact(fields: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET_FIELD.test(k)) out[k] = '[redacted]'
    else if (v instanceof Error) out[k] = v.message
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = depth < 4 ? redact(v as Record<string, unknown>, depth + 1) : '[nested]'
    } else out[k] = v
  }
  return out
}
