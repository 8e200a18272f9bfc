import { useEffect, useState } from 'react'
import type { JobItemView, JobView } from '../../../../shared/contract/index'
import { useConsoleApi } from '../../api/api-context'
import { callApi } from '../../api/call-api'

const FINAL = new Set(['done', 'failed', 'cancelled', 'interrupted'])
const PAGE = 1000

export interface JobRows<Row> {
  rows: Row[]
  job: JobView | null
  error: Error | null
}

/**
 * The rows of a job that appends them as they come (a device listing, a discovery): pages of
 * `jobs.items` by rev, read until the job ends. Rows keep their arrival order; the last state
 * of a key wins; an item `rowOf` maps to undefined (failed, cancelled) carries no row.
 */
export function useJobRows<Row>(
  jobId: string | null,
  rowOf: (item: JobItemView) => Row | undefined,
  pollMs = 300,
): JobRows<Row> {
  const api = useConsoleApi()
  const [result, setResult] = useState<JobRows<Row>>({ rows: [], job: null, error: null })
  useEffect(() => {
    setResult({ rows: [], job: null, error: null })
    if (!jobId) return
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const rows = new Map<string, Row>()
    let since = 0
    const read = async (): Promise<void> => {
      try {
        const page = await callApi(api.jobs.items({ id: jobId, since, limit: PAGE }))
        if (stopped) return
        for (const item of page.items) {
          const row = rowOf(item)
          if (row !== undefined) rows.set(item.key, row)
        }
        since = page.rev
        setResult({ rows: [...rows.values()], job: page.job, error: null })
        if (page.items.length === PAGE) return void read()
        if (FINAL.has(page.job.state)) return
      } catch (err) {
        if (stopped) return
        setResult((r) => ({ ...r, error: err as Error }))
        return
      }
      timer = setTimeout(() => void read(), pollMs)
    }
    void read()
    return () => {
      stopped = true
      clearTimeout(timer)
    }
    // rowOf is a module-level mapping: the job, not the function, decides when to read again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, jobId, pollMs])
  return result
}
