import { stringify } from 'csv-stringify/sync'
import type { JobItemView } from '../../shared/contract/index.js'
import type { JobStore } from './job-store.js'

const PAGE = 500
const FIXED = ['key', 'state', 'message'] as const

/**
 * A job's per-row report as CSV (RFC 4180, CRLF): key, state, message, then one column per
 * top-level key of the items' details (strings as they are, other values as JSON). Cells that a
 * spreadsheet would run as a formula (=, +, -, @ first) are prefixed with `'`: details come from
 * the hub. Two passes over the store, a page at a time: the columns, then the rows.
 */
export function jobReportCsv(store: JobStore, jobId: string): { csv: string; rows: number } {
  const columns = new Set<string>()
  pages(store, jobId, (item) => {
    for (const k of Object.keys(item.detail))
      if (!(FIXED as readonly string[]).includes(k)) columns.add(k)
  })
  const detailColumns = [...columns].sort()
  const chunks = [stringify([[...FIXED, ...detailColumns]], options)]
  let rows = 0
  let batch: string[][] = []
  const flush = (): void => {
    if (batch.length > 0) chunks.push(stringify(batch, options))
    batch = []
  }
  pages(store, jobId, (item) => {
    rows += 1
    batch.push([
      item.key,
      item.state,
      item.message ?? '',
      ...detailColumns.map((c) => cell(item.detail[c])),
    ])
    if (batch.length >= PAGE) flush()
  })
  flush()
  return { csv: chunks.join(''), rows }
}

const options = { record_delimiter: 'windows', escape_formulas: true } as const

function cell(value: unknown): string {
  if (value === undefined || value === null) return ''
  return typeof value === 'string' ? value : JSON.stringify(value)
}

function pages(store: JobStore, jobId: string, each: (item: JobItemView) => void): void {
  for (let after = 0; ;) {
    const page = store.itemsBySeq(jobId, after, PAGE)
    for (const item of page) each(item)
    const last = page.at(-1)
    if (!last || page.length < PAGE) return
    after = last.seq
  }
}
