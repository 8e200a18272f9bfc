import { readFileSync } from 'node:fs'
import type { JSONType } from 'zod'
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
