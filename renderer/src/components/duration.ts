/** Durations as people type them: a number and a unit, or text such as `15m`, `2 h`, `1d`. */

export const DURATION_UNITS = [
  { value: 's', label: 's', seconds: 1 },
  { value: 'min', label: 'min', seconds: 60 },
  { value: 'h', label: 'h', seconds: 3600 },
  { value: 'd', label: 'd', seconds: 86_400 },
] as const
export type DurationUnit = (typeof DURATION_UNITS)[number]['value']

const SUFFIXES: Record<string, DurationUnit> = {
  s: 's',
  sec: 's',
  m: 'min',
  min: 'min',
  h: 'h',
  d: 'd',
}

export function unitSeconds(unit: DurationUnit): number {
  return DURATION_UNITS.find((u) => u.value === unit)!.seconds
}

/** The largest unit that shows `seconds` as a whole number (3600 → 1 h, 90 → 90 s). */
export function splitDuration(seconds: number): { amount: number; unit: DurationUnit } {
  for (const u of [...DURATION_UNITS].reverse()) {
    if (seconds > 0 && seconds % u.seconds === 0)
      return { amount: seconds / u.seconds, unit: u.value }
  }
  return { amount: seconds, unit: 's' }
}

export type ParsedDuration =
  { kind: 'empty' } | { kind: 'ok'; seconds: number } | { kind: 'invalid'; message: string }

/**
 * `text` in `unit`, unless the text names its own unit (`15m`). Only a positive, whole number of
 * seconds is a duration: `0` (unless `allowZero`), `-900`, `9.5 s` and `15x` are refused with a
 * message saying why.
 */
export function parseDuration(text: string, unit: DurationUnit, allowZero = false): ParsedDuration {
  const trimmed = text.trim()
  if (trimmed === '') return { kind: 'empty' }
  const m = /^([+-]?\d*(?:[.,]\d+)?)\s*([a-z]*)$/i.exec(trimmed)
  const suffix = m?.[2]?.toLowerCase() ?? ''
  const named = suffix === '' ? unit : SUFFIXES[suffix]
  if (!m || m[1] === '' || named === undefined) {
    return {
      kind: 'invalid',
      message: 'enter a number, e.g. 15, and pick a unit (or type 15m, 2h, 1d)',
    }
  }
  const amount = Number(m[1]!.replace(',', '.'))
  if (allowZero ? !(amount >= 0) : !(amount > 0)) {
    return { kind: 'invalid', message: allowZero ? 'must be 0 or longer' : 'must be longer than 0' }
  }
  const seconds = amount * unitSeconds(named)
  if (!Number.isInteger(seconds)) {
    return { kind: 'invalid', message: 'must be a whole number of seconds' }
  }
  return { kind: 'ok', seconds }
}

/** Seconds in the largest exact unit: 3600 → "1 h", 900 → "15 min", 90 → "90 s". */
export function formatExactDuration(seconds: number): string {
  const { amount, unit } = splitDuration(seconds)
  return `${amount} ${unit}`
}
