// `node bench/plgd.mjs` (last of `npm run bench`): the plgd targets of issue 13 against the hub
// simulator (test/fixtures/hub-simulator) on 127.0.0.1, through a running `serve` and its console
// bridge. (a) Apply a configuration to 100 then 1,000 fabricated devices: the requests in flight
// at the simulator (invoke + applied-configuration reads) never above the concurrency, every
// device reported, serve's RSS growth between the two runs, and a console bridge round trip
// (jobs.get) sampled during the 1,000-device job. (b) List 1,000 then 10,000 devices: the first
// row readable (jobs.items) before the simulator wrote the list's last byte, and serve's RSS.
// Prints a table and, last, one JSON line {"benchPlgd": {...}}. Exits 0 whatever the targets say;
// 1 on a crash or when the time limit is hit.
//
// Environment: BENCH_PLGD_CONCURRENCY (default 32), BENCH_PLGD_TIME_LIMIT (s, 300).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { startSimulator } from './plgd-simulator.mjs'
import {
  CLI,
  ROOT,
  bridgeClient,
  envNumber,
  killAllChildren,
  memoryOf,
  note,
  percentile,
  reexecUnderKeychain,
  sleep,
  spawnTracked,
  stopChild,
  waitForReady,
} from './lib.mjs'

const TARGETS = { applyRssGrowthMiB: 20, clickP95Ms: 100, listRssGrowthMiB: 10 }
const OWNER = '1'
const HUB = 'sim'
const SETTLE_MS = 1500
const now = () => performance.timeOrigin + performance.now()
const FINAL = new Set(['done', 'failed', 'cancelled', 'interrupted'])
const fmt = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a')

if (process.env.KEYCHAIN_TEST_HOME === undefined) reexecUnderKeychain(import.meta.url)
else await runGuarded()

async function runGuarded() {
  let tmpRoot
  const cleanup = () => {
    killAllChildren()
    if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true })
    tmpRoot = undefined
  }
  process.on('exit', cleanup)
  const stop = (why, code) => {
    note(`${why}: stopping`)
    cleanup()
    process.exit(code)
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    process.once(signal, () => stop(signal, 130))
  const parentPid = Number(process.env.BENCH_PARENT_PID)
  if (parentPid > 0) {
    setInterval(() => {
      try {
        process.kill(parentPid, 0)
      } catch {
        stop('the parent process is gone', 130)
      }
    }, 1000).unref()
  }
  const cfg = {
    concurrency: Math.round(envNumber('BENCH_PLGD_CONCURRENCY', 32, 1)),
    timeLimitS: envNumber('BENCH_PLGD_TIME_LIMIT', 300, 10),
  }
  const deadline = setTimeout(
    () => stop(`time limit of ${cfg.timeLimitS} s reached`, 1),
    cfg.timeLimitS * 1000,
  )
  try {
    tmpRoot = mkdtempSync(join(tmpdir(), 'plgd-m2m-bench-plgd-'))
    await main(cfg, tmpRoot)
    process.exitCode = 0
  } catch (err) {
    note(`crashed: ${err?.stack ?? err}`)
    process.exitCode = 1
  } finally {
    clearTimeout(deadline)
    cleanup()
  }
}

/** Polls jobs.get until the job ends. */
async function waitForJob(bridge, id, timeoutMs) {
  const until = Date.now() + timeoutMs
  for (;;) {
    const job = await bridge.call('jobs.get', { id })
    if (FINAL.has(job.state)) return job
    if (Date.now() > until) throw new Error(`job ${id} still ${job.state} after ${timeoutMs} ms`)
    await sleep(100)
  }
}

async function rssAfterSettle(pid) {
  await sleep(SETTLE_MS)
  return memoryOf(pid).rssMiB
}

async function applyRun(ctx, configId, deviceIds, sampleClicks) {
  await ctx.sim.call('resetApply')
  const started = now()
  const { jobId } = await ctx.bridge.call('configs.apply', {
    hub: HUB,
    configId,
    deviceIds,
    concurrency: ctx.cfg.concurrency,
    timeoutSeconds: 120,
  })
  const clicks = []
  let running = true
  const sampler = (async () => {
    // A console click during the job: the bridge round trip of the jobs.get a click makes.
    while (sampleClicks && running) {
      const t0 = now()
      await ctx.bridge.call('jobs.get', { id: jobId })
      clicks.push(now() - t0)
      await sleep(50)
    }
  })()
  const job = await waitForJob(ctx.bridge, jobId, 240_000).finally(() => (running = false))
  await sampler
  const seconds = (now() - started) / 1000
  const { apply } = await ctx.sim.call('stats')
  const c = job.counts
  const final = c.done + c.failed + c.timeout + c.cancelled
  const rssMiB = await rssAfterSettle(ctx.serve.pid)
  note(
    `apply to ${deviceIds.length}: ${job.state} in ${seconds.toFixed(1)} s, RSS ${rssMiB.toFixed(1)} MiB`,
  )
  return {
    devices: deviceIds.length,
    state: job.state,
    counts: c,
    final,
    seconds,
    maxInFlight: apply.max,
    requests: apply.count,
    rssMiB,
    clicks,
  }
}

async function listRun(ctx, expected) {
  const before = (await ctx.sim.call('stats')).lists.length
  const started = now()
  const { jobId } = await ctx.bridge.call('devices.list', { hub: HUB })
  let firstRowAt
  // What the Devices page does, as fast as the bridge answers: the first row's arrival.
  while (firstRowAt === undefined && now() - started < 60_000) {
    const page = await ctx.bridge.call('jobs.items', { id: jobId, since: 0, limit: 1 })
    if (page.items.length > 0) firstRowAt = now()
    else if (FINAL.has(page.job.state)) break
  }
  const job = await waitForJob(ctx.bridge, jobId, 120_000)
  const list = (await ctx.sim.call('stats')).lists[before]
  const rssMiB = await rssAfterSettle(ctx.serve.pid)
  const firstRowMs = firstRowAt - started
  const lastByteMs = list?.lastByteAt - started
  note(
    `list of ${expected}: ${job.state}, first row ${firstRowMs.toFixed(0)} ms, last byte ${lastByteMs.toFixed(0)} ms, RSS ${rssMiB.toFixed(1)} MiB`,
  )
  return {
    expected,
    state: job.state,
    rows: job.counts.total,
    firstRowMs,
    lastByteMs,
    listStatus: list?.status,
    rssMiB,
  }
}

async function main(cfg, tmpRoot) {
  const env = { ...process.env }
  for (const name of ['NODE_OPTIONS', 'PLGD_M2M_DATA_DIR', 'PLGD_M2M_VAULT_PASSPHRASE'])
    delete env[name]
  const loadBefore = loadavg()[0]
  const serve = spawnTracked(
    process.execPath,
    [CLI, 'serve', '--listen', '127.0.0.1:0', '--json', '--data-dir', join(tmpRoot, 'data')],
    { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT },
  )
  const ready = await waitForReady(serve)
  const bridge = bridgeClient(ready.consoleUrl)
  const sim = startSimulator()
  const ctx = { cfg, serve, bridge, sim }
  try {
    await bridge.call('setup.complete', { alg: 'ES256', publicHost: null, exposeOnLan: false })
    await bridge.call('clients.add', { id: 'bench-hub', owner: OWNER })
    const hub = await sim.call('start', {
      authority: ready.issuer,
      caPem: readFileSync(ready.caCertFile, 'utf8'),
    })
    await bridge.call('hubs.add', {
      name: HUB,
      url: hub.url,
      caPem: hub.caPem,
      auth: { kind: 'client', clientId: 'bench-hub' },
    })
    const { configuration } = await bridge.call('configs.create', {
      hub: HUB,
      name: 'bench',
      resources: [{ href: '/light/1', content: { state: true, power: 40 } }],
    })

    // (b) first: 1,000 then 10,000 devices exist; (a) applies to 100 and 1,000 of them.
    const ids = await sim.call('fabricate', { count: 1000 })
    const list1k = await listRun(ctx, 1000)
    ids.push(...(await sim.call('fabricate', { count: 9000 })))
    const list10k = await listRun(ctx, 10_000)
    const apply100 = await applyRun(ctx, configuration.id, ids.slice(0, 100), false)
    const apply1k = await applyRun(ctx, configuration.id, ids.slice(100, 1100), true)
    report(cfg, { loadBefore, list1k, list10k, apply100, apply1k })
  } finally {
    bridge.close()
    sim.child.disconnect()
    await stopChild(sim.child)
    await stopChild(serve)
  }
}

function report(cfg, { loadBefore, list1k, list10k, apply100, apply1k }) {
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
  const pad = (s, n) => String(s).padEnd(n)
  const out = ['']
  for (const r of [apply100, apply1k]) {
    out.push(
      `Apply to ${r.devices} devices (concurrency ${cfg.concurrency}): ${r.state} in ${fmt(r.seconds)} s, ` +
        `${r.counts.done} done, ${r.counts.failed} failed, ${r.counts.timeout} timeout; ` +
        `${r.requests} invoke/applied requests, at most ${r.maxInFlight} in flight; serve RSS ${fmt(r.rssMiB)} MiB`,
    )
  }
  out.push(
    `  console click during the 1,000-device job = bridge round trip of jobs.get over HTTP (keep-alive, session token): ` +
      `p50 ${fmt(percentile(apply1k.clicks, 50))} ms, p95 ${fmt(clickP95)} ms, max ${fmt(Math.max(...apply1k.clicks))} ms, n=${apply1k.clicks.length}`,
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
  out.push('', 'Targets')
  for (const c of checks)
    out.push(
      `  ${pad(c.name, 34)}${pad(c.target, 28)}${pad(c.value, 24)}${c.pass ? 'PASS' : 'FAIL'}`,
    )
  out.push('')
  process.stdout.write(`${out.join('\n')}\n`)
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
      apply: [strip(apply100), strip(apply1k)],
      clickMs: {
        p50: percentile(apply1k.clicks, 50),
        p95: clickP95,
        max: Math.max(...apply1k.clicks),
        samples: apply1k.clicks.length,
      },
      list: [list1k, list10k],
      targets: checks,
    },
  }
  process.stdout.write(`${JSON.stringify(json)}\n`)
}
