import type { FieldErrors, FieldValues } from 'react-hook-form'
import { z } from 'zod'

/**
 * Messages for zod's generic issues, used by every form's resolver. The contract's own
 * messages (e.g. "client id may use letters, digits and . _ ~ - only") take precedence.
 */
export const formErrorMap = (issue: {
  code: string
  origin?: string
  minimum?: unknown
  maximum?: unknown
  expected?: string
  format?: string
}): string | undefined => {
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'required'
      if (issue.origin === 'array') return `at least ${String(issue.minimum)} required`
      if (issue.origin === 'number') return `at least ${String(issue.minimum)}`
      return undefined
    case 'too_big':
      if (issue.origin === 'string') return `at most ${String(issue.maximum)} characters`
      if (issue.origin === 'number') return `at most ${String(issue.maximum)}`
      return undefined
    case 'invalid_type':
      if (issue.expected === 'number' || issue.expected === 'int') return 'enter a whole number'
      return undefined
    case 'invalid_format':
      if (issue.format === 'url') return 'enter a full URL (https://…)'
      return undefined
    default:
      return undefined
  }
}

export const resolverOptions = { error: formErrorMap }

/** "a, b c" → ['a', 'b', 'c']: comma, space or newline separated lists. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean)
}

/** A text field holding a comma/space separated list. */
export const listField = () => z.string().transform(splitList)

/** A trimmed text field; empty becomes undefined. */
export const optionalTextField = () =>
  z.string().transform((s) => (s.trim() === '' ? undefined : s.trim()))

/** A NumberInput value (number, or '' / partial text while typing); empty becomes undefined. */
export const optionalNumberField = () =>
  z
    .union([z.number(), z.string()])
    .transform((v) => (typeof v === 'number' ? v : v.trim() === '' ? undefined : Number(v)))

/** A JSON text field; empty becomes `empty`, malformed JSON is a field error. */
export function jsonField<T>(empty: T) {
  return z.string().transform((text, ctx): unknown => {
    if (text.trim() === '') return empty
    try {
      return JSON.parse(text) as unknown
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not valid JSON' })
      return z.NEVER
    }
  })
}

/**
 * The first message under a field path. A list field's items fail at `field.N`, a JSON field's
 * inner values deeper still; the form shows them all on the one input.
 */
export function fieldError<T extends FieldValues>(
  errors: FieldErrors<T>,
  path: string,
): string | undefined {
  let node: unknown = errors
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined
    node = (node as Record<string, unknown>)[key]
  }
  return firstMessage(node)
}

function firstMessage(node: unknown, depth = 0): string | undefined {
  if (typeof node !== 'object' || node === null || depth > 6) return undefined
  const record = node as Record<string, unknown>
  if (typeof record.message === 'string' && record.message) return record.message
  for (const [key, child] of Object.entries(record)) {
    if (key === 'ref' || key === 'type' || key === 'types') continue
    const found = firstMessage(child, depth + 1)
    if (found) return found
  }
  return undefined
}

/**
 * `source.pipe(target)` for a target whose input is wider than the source's output (a
 * `.default()`, an optional key): zod's `pipe` typing wants them identical, the runtime does not.
 */
export function pipeInto<S extends z.ZodType, T extends z.ZodType>(source: S, target: T) {
  return source.pipe(target as unknown as z.ZodType<z.output<T>, z.output<S>>)
}
