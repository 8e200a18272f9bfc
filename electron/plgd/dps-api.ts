import type { PlanStep } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import { httpStatusOf } from './device-failures.js'
import type { DpsHubRecord, EnrollmentGroupRecord, Stored } from './dps-records.js'
import type { PlgdClient } from './plgd-client.js'

/** DPS's hub and enrollment-group API (interop §3.3) as the setup reads and writes it. */

export const DPS_HUBS_PATH = '/api/v1/hubs'
export const DPS_GROUPS_PATH = '/api/v1/enrollment-groups'

async function first<T>(
  items: AsyncIterable<T>,
  match: (item: T) => boolean,
): Promise<T | undefined> {
  for await (const item of items) if (match(item)) return item
  return undefined
}

export function findHub(dps: PlgdClient, hubId: string): Promise<Stored<DpsHubRecord> | undefined> {
  return dpsCall('reading the DPS hub records', () =>
    first(
      dps.stream<Stored<DpsHubRecord>>(DPS_HUBS_PATH, { query: { hubIdFilter: hubId } }),
      (h) => h.hubId === hubId,
    ),
  )
}

export function findGroup(
  dps: PlgdClient,
  name: string,
): Promise<Stored<EnrollmentGroupRecord> | undefined> {
  return dpsCall('reading the enrollment groups', () =>
    first(dps.stream<Stored<EnrollmentGroupRecord>>(DPS_GROUPS_PATH), (g) => g.name === name),
  )
}

export async function writeRecord(
  dps: PlgdClient,
  path: string,
  step: PlanStep,
  body: object,
): Promise<string | null> {
  const what = step.target === 'dps-hub' ? 'the DPS hub record' : 'the enrollment group'
  if (step.action === 'unchanged') return step.id
  if (step.action === 'create') {
    const made = await dpsCall(`creating ${what}`, () =>
      dps.json<{ id?: string }>('POST', path, { body }),
    )
    return made?.id ?? null
  }
  const id = step.id ?? ''
  const updated = await dpsCall(`updating ${what}`, () =>
    dps.json<{ id?: string }>('PUT', `${path}/${encodeURIComponent(id)}`, { body }),
  )
  return updated?.id ?? id
}

/** A DPS message may quote what it refused (the secret URI among it): never pass that on. */
export function maskDataUris(text: string): string {
  return text.replace(/data:,[^\s'"),]*/g, 'data:,****')
}

/** DPS's own refusals, with the fix on our side or the hub's. */
async function dpsCall<T>(doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (err) {
    const status = httpStatusOf(err)
    const raw = err instanceof Error ? err.message : String(err)
    const message = maskDataUris(raw)
    // The original error keeps the unmasked text: it must not ride along as a cause either.
    const cause = message === raw ? { cause: err } : {}
    if (status === 401) {
      throw new AppError(
        'policy_violation',
        `${doing}: DPS refused the DPS client's token (${message}). DPS's HTTP API must trust this issuer: add it to DPS's apis.http.authorization endpoints (see \`dps checklist\`)`,
        cause,
      )
    }
    if (status === 400) {
      throw new AppError('invalid_input', `${doing}: DPS refused the record (${message})`, cause)
    }
    if (message !== raw) {
      const code = err instanceof AppError ? err.code : 'internal'
      throw new AppError(code, `${doing}: ${message}`, { expose: code !== 'internal' })
    }
    throw err
  }
}

export function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
}
