import type { PlanChange, PlanStep } from '../../shared/contract/index.js'
import { maskSecretUri } from './dps-records.js'

/**
 * The per-field difference between what DPS holds and what the setup would write. DPS answers
 * through plgd's JSON marshaller, which drops empty strings, empty lists and nulls and writes
 * int64 as strings: both sides are compared after the same normalisation, so a record written
 * by a previous setup shows no change.
 */

/** Fields whose values are never shown, only their URI scheme. */
export const SECRET_FIELDS = new Set(['authorization.provider.clientSecret', 'preSharedKey'])
/** The field that changes whenever the DPS client's secret is rotated. */
export const CLIENT_SECRET_FIELD = 'authorization.provider.clientSecret'

type Leaf = string | number | boolean | null | (string | number | boolean)[]

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Leaves by dotted path; lists of scalars are one leaf, lists of objects are indexed. */
export function flatten(
  value: unknown,
  prefix = '',
  out = new Map<string, Leaf>(),
): Map<string, Leaf> {
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out)
  } else if (Array.isArray(value) && value.some(isPlainObject)) {
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out))
  } else if (value !== undefined) {
    out.set(prefix, value as Leaf)
  }
  return out
}

/** plgd's marshaller view of a value: empty means absent, numbers and int64 strings alike. */
function normal(v: Leaf | undefined): string {
  if (v === undefined || v === null || v === '') return ''
  if (Array.isArray(v)) return v.length === 0 ? '' : JSON.stringify(v.map(String))
  return String(v)
}

function shown(field: string, v: Leaf | undefined): unknown {
  if (SECRET_FIELDS.has(field)) return maskSecretUri(v)
  return normal(v) === '' ? null : v
}

/**
 * Changes from `existing` (undefined: the record does not exist) to `desired`, over the
 * desired record's fields (fields only DPS sets, such as id and owner, are not ours to diff).
 * `secretReplaced`: the client secret changes even though neither side can show it.
 */
export function diffRecord(
  desired: object,
  existing: object | undefined,
  secretReplaced = false,
): PlanChange[] {
  const want = flatten(desired)
  const have = existing ? flatten(existing) : new Map<string, Leaf>()
  const changes: PlanChange[] = []
  for (const [field, to] of want) {
    const from = have.get(field)
    const forced = field === CLIENT_SECRET_FIELD && secretReplaced
    if (!forced && normal(from) === normal(to)) continue
    if (!existing && normal(to) === '') continue
    changes.push({ field, from: existing ? shown(field, from) : null, to: shown(field, to) })
  }
  return changes
}

export function recordStep(
  target: PlanStep['target'],
  name: string,
  desired: object,
  existing: (object & { id?: string }) | undefined,
  secretReplaced = false,
): PlanStep {
  const changes = diffRecord(desired, existing, secretReplaced)
  const action = !existing ? 'create' : changes.length > 0 ? 'update' : 'unchanged'
  return { target, action, id: existing?.id ?? null, name, changes }
}

/** The plan as a readable diff, for the CLI's human output and logs (secrets already masked). */
export function describePlan(plan: PlanStep[]): string {
  const lines: string[] = []
  for (const step of plan) {
    const id = step.id ? ` (${step.id})` : ''
    lines.push(`${step.action.padEnd(13)} ${step.target} ${step.name}${id}`)
    for (const c of step.changes) {
      const from = c.from === null ? '' : `${short(c.from)} -> `
      lines.push(`    ${c.field}: ${from}${short(c.to)}`)
    }
  }
  return `${lines.join('\n')}\n`
}

function short(v: unknown): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v)
  return text.length > 72 ? `${text.slice(0, 69)}...` : text
}
