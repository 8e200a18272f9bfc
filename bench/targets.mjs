// The performance targets of the token endpoint and the console (issue 19), in one place: each
// target's text and its PASS/FAIL come from the same entry, so they cannot disagree.
import { fmtSpread } from './lib.mjs'

/** `op` compares the measured figure with `limit`; `unit` is printed after both. */
export const TARGETS = {
  cpuPerTokenVsReference: { op: '≤', limit: 1.4, unit: '× reference' },
  throughputVsReference: { op: '≥', limit: 0.9, unit: '× reference' },
  throughputVsOidcProvider: { op: '≥', limit: 3, unit: '× oidc-provider' },
  p99VsReference: { op: '≤', limit: 1.5, unit: '× reference' },
  rssAfterLoadMiB: { op: '≤', limit: 128, unit: 'MiB' },
  spawnToFirstTokenMs: { op: '≤', limit: 450, unit: 'ms' },
  trustLookupRps: { op: '≥', limit: 5000, unit: 'req/s' },
  rendererGzipKB: { op: '≤', limit: 300, unit: 'KB' },
  consoleInteractiveMs: { op: '≤', limit: 1000, unit: 'ms' },
  issueClickP95Ms: { op: '≤', limit: 100, unit: 'ms' },
}

/** 'PASS' or 'FAIL' for a measured figure; 'n/a' when there is none (e.g. a server not run). */
export function verdict(target, value) {
  if (!Number.isFinite(value)) return 'n/a'
  const pass = target.op === '≤' ? value <= target.limit : value >= target.limit
  return pass ? 'PASS' : 'FAIL'
}

/**
 * One row of a targets table. `value` is the figure judged (a median, a p95); `shown` is how it
 * is printed (with its spread); `note` replaces the verdict when the figure was not measured.
 */
export function targetRow(figure, target, value, shown, note) {
  return {
    figure,
    target: `${target.op} ${target.limit} ${target.unit}`,
    value,
    shown,
    result: note ?? verdict(target, value),
  }
}

/** A row judged on the median of a spreadOf(), shown as "median (min–max)". */
export function spreadRow(figure, target, spread, digits, unit) {
  return targetRow(figure, target, spread.median, fmtSpread(spread, digits, unit))
}

/** The rows as an aligned `figure | target | <valueHeading> | result` table, one string a line. */
export function formatTargetTable(rows, valueHeading) {
  const header = { figure: 'figure', target: 'target', shown: valueHeading, result: 'result' }
  const columns = ['figure', 'target', 'shown', 'result']
  const width = Object.fromEntries(
    columns.map((c) => [c, Math.max(...[header, ...rows].map((r) => String(r[c]).length))]),
  )
  const format = (r) => columns.map((c) => String(r[c]).padEnd(width[c])).join(' | ')
  const rule = columns.map((c) => '-'.repeat(width[c])).join('-|-')
  return [format(header), rule, ...rows.map(format)].map((l) => l.trimEnd())
}
