import { readFileSync } from 'node:fs'
import { parse as parseCsv } from 'csv-parse/sync'
import type { JSONType } from 'zod'
import { MAX_LIFETIME_CAP_SECONDS } from '../../../shared/constants.js'
import { AppError } from '../../../shared/errors.js'

/** Option values that need more than a type: files to read, NAME=VALUE pairs. */

/** Reads a file named on the command line; `-` is stdin. */
export function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8')
  } catch (cause) {
    throw new AppError('invalid_input', `cannot read ${file}`, { cause })
  }
}

/** --claim NAME=VALUE; VALUE is JSON when it parses as JSON, else a string. */
export function claims(items: string[] | undefined): Record<string, JSONType> {
  const out: Record<string, JSONType> = {}
  for (const item of items ?? []) {
    const eq = item.indexOf('=')
    if (eq <= 0) throw new AppError('invalid_input', `--claim takes NAME=VALUE, not ${item}`)
    const raw = item.slice(eq + 1)
    let parsed: JSONType = raw
    try {
      parsed = JSON.parse(raw) as JSONType
    } catch {
      // a plain string
    }
    out[item.slice(0, eq)] = parsed
  }
  return out
}

/**
 * The device ids of `--device ID...` and `--devices-file FILE` together, in order, each once.
 * The file is JSON (an array of ids, or of objects with `id` or `deviceId`) or CSV (a header
 * with an `id` or `deviceId` column, or one id per line). Errors name the file and the line.
 */
export function readDeviceIds(
  ids: string[] | undefined,
  file: string | undefined,
  howToGive = 'give --device ID (repeatable) or --devices-file FILE',
): string[] {
  const all = [...(ids ?? []), ...(file === undefined ? [] : readDeviceIdsFile(file))]
  if (all.length === 0) throw new AppError('invalid_input', `no devices: ${howToGive}`)
  return [...new Set(all)]
}

export function readDeviceIdsFile(file: string): string[] {
  const text = readInput(file).replace(/^\uFEFF/, '')
  const ids = /^\s*[[{]/.test(text) ? jsonDeviceIds(file, text) : csvDeviceIds(file, text)
  if (ids.length === 0) throw new AppError('invalid_input', `${file} lists no device ids`)
  return ids
}

function jsonDeviceIds(file: string, text: string): string[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new AppError('invalid_input', `${file} is not valid JSON: ${(err as Error).message}`)
  }
  if (!Array.isArray(parsed)) {
    throw new AppError(
      'invalid_input',
      `${file}: expected a JSON array of device ids or of objects with "id"`,
    )
  }
  return parsed.map((entry: unknown, i) => {
    const id =
      typeof entry === 'string'
        ? entry
        : entry !== null && typeof entry === 'object'
          ? ((entry as Record<string, unknown>).id ?? (entry as Record<string, unknown>).deviceId)
          : undefined
    if (typeof id !== 'string' || id.trim() === '') {
      throw new AppError(
        'invalid_input',
        `${file}: entry ${i + 1} has no device id (a string, or an object with "id" or "deviceId")`,
      )
    }
    return id.trim()
  })
}

function csvDeviceIds(file: string, text: string): string[] {
  let rows: { record: string[]; info: { lines: number } }[]
  try {
    rows = parseCsv(text, {
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      comment: '#',
      info: true,
    }) as unknown as typeof rows
  } catch (err) {
    throw new AppError('invalid_input', `${file} is not valid CSV: ${(err as Error).message}`)
  }
  const header = (rows[0]?.record ?? []).map((h) => h.toLowerCase())
  let column = header.findIndex((h) => h === 'id' || h === 'deviceid' || h === 'device_id')
  const hasHeader = column >= 0
  if (!hasHeader) {
    if (header.length > 1) {
      throw new AppError(
        'invalid_input',
        `${file}: line ${rows[0]!.info.lines} should be a header naming an "id" or "deviceId" column (or give one id per line)`,
      )
    }
    column = 0
  }
  return rows.slice(hasHeader ? 1 : 0).map(({ record, info }) => {
    const id = record[column]
    if (id === undefined || id === '') {
      throw new AppError('invalid_input', `${file}: line ${info.lines} has no device id`)
    }
    return id
  })
}

/**
 * A duration option: 600, 90s, 15m, 15min, 2h, 1d, in seconds; the error names the option.
 * Lifetimes must be positive (`positive`); a grace period may be 0 (it ends now).
 */
export function durationSeconds(
  option: string,
  text: string | undefined,
  { positive = false }: { positive?: boolean } = {},
): number | undefined {
  if (text === undefined) return undefined
  const m = /^(\d+)\s*(s|m|min|h|d)?$/.exec(text.trim())
  if (!m) {
    throw new AppError(
      'invalid_input',
      `${option} takes a duration such as 600, 15m, 2h or 1d, not ${text}`,
    )
  }
  const unit = { s: 1, m: 60, min: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd']
  const seconds = Number(m[1]) * unit
  if (positive && seconds === 0) {
    throw new AppError('invalid_input', `${option} must be longer than 0, e.g. 15m or 1h`)
  }
  return seconds
}

/**
 * A lifetime option: a positive duration within the longest lifetime any setting allows, so
 * the refusal names the option, not the contract's field (`lifetimeSeconds`).
 */
export function lifetimeSeconds(option: string, text: string | undefined): number | undefined {
  const seconds = durationSeconds(option, text, { positive: true })
  if (seconds !== undefined && seconds > MAX_LIFETIME_CAP_SECONDS) {
    throw new AppError(
      'invalid_input',
      `${option} ${text} is over the longest lifetime allowed, ${MAX_LIFETIME_CAP_SECONDS / 86400}d`,
    )
  }
  return seconds
}
