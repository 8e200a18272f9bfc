// The output of bench/run.mjs: one JSON line, then the report, ending with the targets table.
// Every load figure is the median and range over the interleaved rounds; a ratio to another
// server is taken round by round (the same rounds) and then its median and range.
import { fmt, fmtSpread, median, spreadOf } from './lib.mjs'
import { BUCKET_NAMES } from './perf-split.mjs'
import { TARGETS, formatTargetTable, spreadRow, targetRow } from './targets.mjs'

export function report({ cfg, targets, order, results, idle, fresh, warmStarts }) {
  const has = (name) => results[name]?.length > 0
  // A load left out (BENCH_ONLY) reads as NaN: its targets say n/a.
  const figure = (name, key) => spreadOf(has(name) ? results[name].map((r) => r[key]) : [NaN])
  /** a ÷ b in each round, for the figure `key`. */
  const ratios = (a, b, key) =>
    has(a) && has(b) ? results[a].map((r, i) => r[key] / results[b][i][key]) : [NaN]
  const ratio = (a, b, key) => ({ ...spreadOf(ratios(a, b, key)), rounds: ratios(a, b, key) })

  const cpu = ratio('ours', 'reference', 'cpuUsPerOk')
  const throughput = ratio('ours', 'reference', 'rps')
  const p99 = ratio('ours', 'reference', 'p99Ms')
  const vsOidc = has('oidcProvider') ? ratio('ours', 'oidcProvider', 'rps') : undefined
  const secondCore = ratio('referenceTwoThreads', 'reference', 'rps')
  const proto = has('twoAcceptorPrototype')
    ? ratio('twoAcceptorPrototype', 'reference', 'rps')
    : undefined
  const rss = figure('ours', 'rssMiB')
  const spawn = spreadOf(warmStarts.map((s) => s.firstTokenMs))
  const lookup = figure('trustLookup', 'rps')

  const rows = [
    spreadRow(
      'server CPU per token, ours ÷ reference',
      TARGETS.cpuPerTokenVsReference,
      cpu,
      2,
      '×',
    ),
    spreadRow('throughput, ours ÷ reference', TARGETS.throughputVsReference, throughput, 2, '×'),
    vsOidc
      ? spreadRow(
          'throughput, ours ÷ oidc-provider',
          TARGETS.throughputVsOidcProvider,
          vsOidc,
          2,
          '×',
        )
      : targetRow(
          'throughput, ours ÷ oidc-provider',
          TARGETS.throughputVsOidcProvider,
          NaN,
          'not loaded',
          'SKIP',
        ),
    spreadRow('p99 latency, ours ÷ reference', TARGETS.p99VsReference, p99, 2, '×'),
    // PASS on the median; the max is printed beside it (issue 19).
    targetRow(
      `RSS of serve right after each ${cfg.durationS} s load`,
      TARGETS.rssAfterLoadMiB,
      rss.median,
      `${fmtSpread(rss, 1, ' MiB')}, max ${fmt(rss.max)}`,
    ),
    spreadRow('spawn to first token', TARGETS.spawnToFirstTokenMs, spawn, 0, ' ms'),
    spreadRow('trust lookup (GET by jti)', TARGETS.trustLookupRps, lookup, 0, ' req/s'),
  ]

  const out = []
  const line = (s = '') => out.push(s)
  const loaded = targets.map((t) => ({ name: t.name, label: t.label }))
  const sum = (name, key) => results[name].reduce((n, r) => n + r[key], 0)
  const pad = (s, n) => String(s).padEnd(n)
  line()
  line(
    `Token endpoint under load: ${cfg.connections} connections, POST client_credentials (client_secret_basic, ES256), ` +
      `${cfg.warmupS} s warm-up + ${cfg.durationS} s each, ${cfg.rounds} interleaved round(s) (even rounds in reverse order)`,
  )
  line('median (min–max) over the rounds:')
  const columns = [
    ['server', 22],
    ['req/s', 20],
    ['p99 ms', 18],
    ['CPU µs per 200', 18],
    ['srv CPU', 9],
    ['cli CPU', 9],
    ['non-2xx', 9],
    ['errors', 7],
  ]
  line(
    columns
      .map(([h, w]) => pad(h, w))
      .join('')
      .trimEnd(),
  )
  for (const { name, label } of loaded) {
    const cells = [
      label,
      fmtSpread(figure(name, 'rps'), 0),
      fmtSpread(figure(name, 'p99Ms'), 0),
      fmtSpread(figure(name, 'cpuUsPerOk'), 0),
      `${fmt(figure(name, 'serverCpuPct').median, 0)}%`,
      `${fmt(figure(name, 'clientCpuPct').median, 0)}%`,
      sum(name, 'non2xx'),
      sum(name, 'errors'),
    ]
    line(
      cells
        .map((c, i) => pad(c, columns[i][1]))
        .join('')
        .trimEnd(),
    )
  }
  line(
    '  CPU µs per 200: user + system CPU of the whole server process (all threads) during the load,' +
      ' per answer 200 (for the token endpoints: per token); srv CPU: 100 % = one core;' +
      ' cli CPU: autocannon, in this process',
  )
  for (const { name, label } of loaded) {
    if (sum(name, 'non2xx') + sum(name, 'errors') > 0) {
      line(
        `  WARNING: ${label} answered ${sum(name, 'non2xx')} non-2xx and had ${sum(name, 'errors')} errors`,
      )
    }
  }
  const labelOf = Object.fromEntries(loaded.map((t) => [t.name, t.label]))
  line(
    `  round order: ${order.map((names) => names.map((n) => labelOf[n]).join(' → ')).join(' / ')}`,
  )
  line('  per round, ours ÷ reference:')
  const perRound = (values, digits = 2) => values.map((v) => fmt(v, digits)).join('  ')
  line(`    CPU per token  ${perRound(cpu.rounds)}`)
  line(`    throughput     ${perRound(throughput.rounds)}`)
  line(`    p99            ${perRound(p99.rounds)}`)
  if (vsOidc) line(`  per round, ours ÷ oidc-provider, throughput: ${perRound(vsOidc.rounds)}`)
  else line('  oidc-provider: not loaded (not installed, or left out by BENCH_ONLY)')
  if (has('referenceTwoThreads')) {
    line(
      `  the reference on 2 threads: ${fmtSpread(secondCore, 2, '×')} the reference` +
        ` at ${fmtSpread(figure('referenceTwoThreads', 'cpuUsPerOk'), 0)} µs per token` +
        ' (a second core beside the load generator: the most any design gains here)',
    )
  }
  if (has('variant')) {
    line('  per round, variant ÷ ours (A/B; below 1 is better for CPU and p99, above 1 for req/s):')
    for (const [label, key] of [
      ['CPU per token', 'cpuUsPerOk'],
      ['throughput   ', 'rps'],
      ['p99          ', 'p99Ms'],
    ]) {
      const r = ratio('variant', 'ours', key)
      line(`    ${label}  ${perRound(r.rounds)}   median ${fmt(r.median, 3)}`)
    }
    line(
      `  variant ÷ reference: CPU per token ${fmtSpread(ratio('variant', 'reference', 'cpuUsPerOk'), 2, '×')},` +
        ` p99 ${fmtSpread(ratio('variant', 'reference', 'p99Ms'), 2, '×')};` +
        ` RSS after load ${fmtSpread(figure('variant', 'rssMiB'), 1, ' MiB')}`,
    )
  }
  if (proto) {
    line(
      `  2-acceptor prototype (a measurement, not shippable as written): ${fmtSpread(proto, 2, '×')} the reference at ` +
        `${fmtSpread(figure('twoAcceptorPrototype', 'cpuUsPerOk'), 0)} µs per token; ` +
        `RSS after load ${fmtSpread(figure('twoAcceptorPrototype', 'rssMiB'), 1, ' MiB')}`,
    )
  }
  if (results.ours.some((r) => r.perf)) for (const l of perfTable(results)) line(l)
  line()
  line('Start-up (serve → ready line → first 200 from the token endpoint)')
  line(
    `  initialised data dir, ${warmStarts.length} runs: ready ${fmtSpread(spreadOf(warmStarts.map((s) => s.readyMs)), 0, ' ms')},` +
      ` first token ${fmtSpread(spawn, 0, ' ms')}  (runs: ${warmStarts.map((s) => fmt(s.firstTokenMs, 0)).join(', ')})`,
  )
  line(
    `  fresh data dir (vault + keys + CA): ready ${fmt(fresh.readyMs, 0)} ms, first token ${fmt(fresh.firstTokenMs, 0)} ms` +
      ` (not counting ${fmt(fresh.addClientMs, 0)} ms for \`clients add\` via the control socket)`,
  )
  line()
  line(
    `Memory of serve (VmRSS): after its first token ${fmt(fresh.rssMiB)} MiB on a fresh data dir, ` +
      `${fmt(median(warmStarts.map((w) => w.rssMiB)))} MiB on an initialised one; idle before load ${fmt(idle.rssMiB)} MiB`,
  )
  line(
    `  right after each ${cfg.durationS} s token load: ${results.ours.map((r) => fmt(r.rssMiB)).join(', ')} MiB` +
      ` (VmHWM up to ${fmt(figure('ours', 'hwmMiB').max)} MiB)`,
  )
  line(
    `  the sign-only reference right after its loads: ${results.reference.map((r) => fmt(r.rssMiB)).join(', ')} MiB`,
  )
  line()
  line(
    `CPU per token: ours ${fmtSpread(figure('ours', 'cpuUsPerOk'), 0, ' µs')}, ` +
      `reference ${fmtSpread(figure('reference', 'cpuUsPerOk'), 0, ' µs')}`,
  )
  line(
    `Targets (issue 19): median of ${cfg.rounds} interleaved round(s); ratios are medians of the per-round ratios`,
  )
  for (const l of formatTargetTable(rows, 'median (min–max)')) line(l)

  const json = {
    bench: {
      config: {
        durationS: cfg.durationS,
        warmupS: cfg.warmupS,
        rounds: cfg.rounds,
        connections: cfg.connections,
        spawnRuns: cfg.spawnRuns,
        node: process.version,
      },
      order,
      servers: Object.fromEntries(loaded.map(({ name }) => [name, results[name]])),
      ratios: {
        cpuPerTokenOursOverReference: cpu,
        throughputOursOverReference: throughput,
        p99OursOverReference: p99,
        throughputOursOverOidcProvider: vsOidc ?? null,
        throughputTwoThreadReferenceOverReference: secondCore,
        throughputPrototypeOverReference: proto ?? null,
      },
      startup: {
        initialised: { firstTokenMs: spawn, runs: warmStarts },
        fresh: {
          readyMs: fresh.readyMs,
          addClientMs: fresh.addClientMs,
          firstTokenMs: fresh.firstTokenMs,
          rssMiB: fresh.rssMiB,
        },
      },
      memory: { idle, rssAfterLoadMiB: rss },
      targets: rows,
    },
  }
  return `${JSON.stringify(json)}\n${out.join('\n')}\n`
}

/**
 * BENCH_PERF: CPU µs per token by what it was spent on, median over the rounds, for each server
 * recorded (ours, the reference, the variant), and ours minus the reference.
 */
function perfTable(results) {
  const servers = ['ours', 'reference', 'variant'].filter((n) => results[n]?.some((r) => r.perf))
  const med = (name, pick) => median(results[name].filter((r) => r.perf).map((r) => pick(r.perf)))
  const rows = [
    ...BUCKET_NAMES.map((bucket) => [bucket, (p) => p.byBucket[bucket]]),
    ['  on the main thread', (p) => p.byThread.main],
    ['  on other threads (signing, V8 helpers)', (p) => p.byThread.other],
    ['all (perf samples)', (p) => p.total],
  ]
  const width = Math.max(...rows.map(([label]) => label.length))
  const head = ['', ...servers, 'ours − reference'].map((h, i) =>
    i === 0 ? ''.padEnd(width) : h.padStart(12),
  )
  const out = [
    '',
    'Where a token’s CPU goes (BENCH_PERF, perf samples, µs per token, median over the rounds):',
    head.join(' '),
  ]
  for (const [label, pick] of rows) {
    const values = servers.map((n) => med(n, pick))
    const diff = med('ours', pick) - med('reference', pick)
    out.push(
      [label.padEnd(width), ...values.map((v) => fmt(v).padStart(12)), fmt(diff).padStart(12)].join(
        ' ',
      ),
    )
  }
  return out
}
