import type { JobCounts, JobItemState, JobState } from '../../../../shared/contract/index'

/** Colours and words for job and item states, shared by the page and JobProgress. */

export const ITEM_COLORS: Record<JobItemState, string> = {
  done: 'teal',
  failed: 'red',
  timeout: 'orange',
  cancelled: 'gray',
  running: 'blue',
  pending: 'gray',
}

export const JOB_COLORS: Record<JobState, string> = {
  queued: 'gray',
  running: 'blue',
  done: 'teal',
  failed: 'red',
  cancelled: 'gray',
  interrupted: 'yellow',
}

/** Items that will not change again. */
export function finished(c: JobCounts): number {
  return c.done + c.failed + c.timeout + c.cancelled
}

export const isActive = (state: JobState): boolean => state === 'queued' || state === 'running'

/** Resume runs only the items not final; a cancelled job's cancelled items count as not final. */
export const canResume = (state: JobState): boolean =>
  state === 'interrupted' || state === 'failed' || state === 'cancelled'

/** The bar's sections, in percent of all items. */
export function progressSections(c: JobCounts): { state: JobItemState; value: number }[] {
  if (c.total === 0) return []
  return (['done', 'failed', 'timeout', 'cancelled', 'running'] as const)
    .filter((s) => c[s] > 0)
    .map((s) => ({ state: s, value: (c[s] / c.total) * 100 }))
}

export function countsText(c: JobCounts): string {
  const parts = (['done', 'failed', 'timeout', 'cancelled', 'running', 'pending'] as const)
    .filter((s) => c[s] > 0)
    .map((s) => `${c[s]} ${s}`)
  return `${finished(c)} of ${c.total} finished${parts.length ? ` (${parts.join(', ')})` : ''}`
}
