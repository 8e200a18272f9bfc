// The output of bench/plgd.mjs: one JSON line, then the report, ending with each figure next to
// its target.
import { cpus, loadavg } from 'node:os'
import { fmt, percentile } from './lib.mjs'
import { formatTargetTable } from './targets.mjs'

const TARGETS = { applyRssGrowthMiB: 20, clickP95Ms: 100, listRssGrowthMiB: 10 }

export function report(cfg, { loadBefore, list1k, list10k, apply100, apply1k, again, idle }) {
  const clickP95 = percentile(apply1k.clicks, 95)
  const applyGrowth = apply1k.rssMiB - apply100.rssMiB
  const listGrowth = list10k.rssMiB - list1k.rssMiB
  const checks = [
    {
      name: 'apply: max in flight',
      target: `≤ ${cfg.concurrency} (concurrency)`,
      value: `${apply1k.maxInFlight}`,
      pass: apply1k.maxInFlight <= cfg.concurrency && apply100.maxInFlight <= cfg.concurrency,
    },
    {
      name: 'apply: devices reported',
      target: '1000 final of 1000',
      value: `${apply1k.final} of ${apply1k.counts.total}`,
      pass: apply1k.final === 1000 && apply1k.counts.total === 1000,
    },
    {
      name: 'apply: RSS growth 100→1000',
      target: `< ${TARGETS.applyRssGrowthMiB} MiB`,
      value: `${fmt(applyGrowth)} MiB`,
      pass: applyGrowth < TARGETS.applyRssGrowthMiB,
    },
    {
      name: 'apply: click p95 (bridge RTT)',
      target: `< ${TARGETS.clickP95Ms} ms, ≥ 20 samples`,
      value: `${fmt(clickP95)} ms (n=${apply1k.clicks.length})`,
      pass: clickP95 < TARGETS.clickP95Ms && apply1k.clicks.length >= 20,
    },
    {
      name: 'list 10k: first row < last byte',
      target: 'first row first',
      value: `${fmt(list10k.firstRowMs, 0)} < ${fmt(list10k.lastByteMs, 0)} ms`,
      pass: list10k.firstRowMs < list10k.lastByteMs,
    },
    {
      name: 'list 10k: rows',
      target: '10000',
      value: `${list10k.rows}`,
      pass: list10k.rows === 10_000 && list10k.state === 'done',
    },
    {
      name: 'list: RSS growth 1k→10k',
      target: `< ${TARGETS.listRssGrowthMiB} MiB`,
      value: `${fmt(listGrowth)} MiB`,
      pass: listGrowth < TARGETS.listRssGrowthMiB,
    },
  ]
  const out = ['']
  for (const r of [apply100, apply1k, again]) {
    out.push(
      `Apply to ${r.devices} devices (concurrency ${cfg.concurrency}): ${r.state} in ${fmt(r.seconds)} s, ` +
        `${r.counts.done} done, ${r.counts.failed} failed, ${r.counts.timeout} timeout; ` +
        `${r.requests} invoke/applied requests, at most ${r.maxInFlight} in flight; serve RSS ${fmt(r.rssMiB)} MiB`,
    )
  }
  out.push(
    `  (the third run, 1,000 more devices on a warm heap, is not a target: RSS ${fmt(again.rssMiB - apply1k.rssMiB)} MiB from the second)`,
  )
  out.push(
    `  console click during the 1,000-device job = bridge round trip of jobs.get over HTTP (keep-alive, session token): ` +
      `p50 ${fmt(percentile(apply1k.clicks, 50))} ms, p95 ${fmt(clickP95)} ms, max ${fmt(Math.max(...apply1k.clicks))} ms, n=${apply1k.clicks.length}; ` +
      `with no job running: p50 ${fmt(percentile(idle, 50))} ms, p95 ${fmt(percentile(idle, 95))} ms, n=${idle.length}`,
  )
  for (const r of [list1k, list10k]) {
    out.push(
      `List ${r.expected} devices: ${r.state}, ${r.rows} rows; first row in jobs.items at ${fmt(r.firstRowMs, 0)} ms, ` +
        `simulator's last byte at ${fmt(r.lastByteMs, 0)} ms (HTTP ${r.listStatus}); serve RSS ${fmt(r.rssMiB)} MiB`,
    )
  }
  out.push(
    `Machine: ${cpus().length} CPUs, 1-min load average ${fmt(loadBefore, 2)} before, ${fmt(loadavg()[0], 2)} after (other load skews the timings)`,
  )
  const rows = checks.map((c) => ({
    figure: c.name,
    target: c.target,
    shown: c.value,
    result: c.pass ? 'PASS' : 'FAIL',
  }))
  out.push('', 'Targets (plgd, issue 13)', ...formatTargetTable(rows, 'measured'))
  const strip = ({ clicks, ...rest }) => ({
    ...rest,
    ...(clicks ? { clickSamples: clicks.length } : {}),
  })
  const json = {
    benchPlgd: {
      config: {
        ...cfg,
        node: process.version,
        cpus: cpus().length,
        loadAverageBefore: loadBefore,
        loadAverageAfter: loadavg()[0],
      },
      apply: [strip(apply100), strip(apply1k), strip(again)],
      clickMs: {
        p50: percentile(apply1k.clicks, 50),
        p95: clickP95,
        max: Math.max(...apply1k.clicks),
        samples: apply1k.clicks.length,
        idle: { p50: percentile(idle, 50), p95: percentile(idle, 95), samples: idle.length },
      },
      list: [list1k, list10k],
      targets: checks,
    },
  }
  process.stdout.write(`${JSON.stringify(json)}\n${out.join('\n')}\n`)
}
