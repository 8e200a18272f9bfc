/**
 * An applied configuration's progress (interop §4.2): each resource goes QUEUED → PENDING →
 * DONE, or TIMEOUT when the device did not take the update within the resource's time to live.
 */
export const APPLIED_STATUSES = ['UNSPECIFIED', 'QUEUED', 'PENDING', 'DONE', 'TIMEOUT'] as const
export type AppliedStatus = (typeof APPLIED_STATUSES)[number]

export interface AppliedResource {
  href: string
  status: AppliedStatus
}

export interface WireAppliedConfiguration {
  id?: string
  deviceId?: string
  resources?: { href?: string; status?: string | number }[]
}

/** protojson writes enum names; a number is the enum's index, an absent one UNSPECIFIED. */
export function appliedStatus(value: string | number | undefined): AppliedStatus {
  if (typeof value === 'number') return APPLIED_STATUSES[value] ?? 'UNSPECIFIED'
  return (APPLIED_STATUSES as readonly string[]).includes(value ?? '')
    ? (value as AppliedStatus)
    : 'UNSPECIFIED'
}

export function appliedResources(wire: WireAppliedConfiguration): AppliedResource[] {
  return (wire.resources ?? []).map((r) => ({
    href: r.href ?? '',
    status: appliedStatus(r.status),
  }))
}

/** done when every resource is DONE; timeout when one timed out; running until then. */
export function appliedOutcome(resources: AppliedResource[]): 'done' | 'timeout' | 'running' {
  if (resources.some((r) => r.status === 'TIMEOUT')) return 'timeout'
  if (resources.length > 0 && resources.every((r) => r.status === 'DONE')) return 'done'
  return 'running'
}
