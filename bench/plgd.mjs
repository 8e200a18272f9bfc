// `node bench/plgd.mjs` (last of `npm run bench`): the plgd targets of issue 13 against the hub
// simulator (test/fixtures/hub-simulator) on 127.0.0.1, through a running `serve` and its console
// bridge. (a) Apply a configuration to 100 then 1,000 fabricated devices: the requests in flight
// at the simulator (invoke + applied-configuration reads) never above the concurrency, every
// device reported, serve's RSS growth between the two runs, and a console bridge round trip
// (jobs.get) sampled during the 1,000-device job; a third run of 1,000 is printed, not judged.
// (b) List 1,000 then 10,000 devices: the first row readable (jobs.items) before the simulator
// wrote the list's last byte, and serve's RSS. Prints one JSON line {"benchPlgd": {...}} first,
// then the report, ending with the targets table. Exits 0 whatever the targets say; 1 on a crash
// or the time limit.
//
// Environment: BENCH_PLGD_CONCURRENCY (default 16, the app's default), BENCH_PLGD_TIME_LIMIT
// (s, 300).
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { report } from './plgd-report.mjs'
import { startSimulator } from './plgd-simulator.mjs'
import {
  CLI,
  ROOT,
  bridgeClient,
  envNumber,
  memoryOf,
  note,
  runBench,
  sleep,
  spawnTracked,
  stopChild,
  waitForReady,
} from './lib.mjs'

const OWNER = '1'
const HUB = 'sim'
const SETTLE_MS = 1500
const now = () => performance.timeOrigin + performance.now()
const FINAL = new Set(['done', 'failed', 'cancelled', 'interrupted'])

const cfg = {
  concurrency: Math.round(envNumber('BENCH_PLGD_CONCURRENCY', 16, 1)),
  timeLimitS: envNumber('BENCH_PLGD_TIME_LIMIT', 300, 10),
}
await runBench(import.meta.url, { name: 'bench-plgd', timeLimitS: cfg.timeLimitS }, (tmpRoot) =>
  main(cfg, tmpRoot),
)

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

/** The same click with no job running: the machine's own noise, for comparison. */
async function idleClicks(ctx, jobId, count = 30) {
  const times = []
  for (let i = 0; i < count; i++) {
    const t0 = now()
    await ctx.bridge.call('jobs.get', { id: jobId })
    times.push(now() - t0)
    await sleep(50)
  }
  return times
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
    jobId,
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
    const idle = await idleClicks(ctx, list10k.jobId)
    const apply100 = await applyRun(ctx, configuration.id, ids.slice(0, 100), false)
    const apply1k = await applyRun(ctx, configuration.id, ids.slice(100, 1100), true)
    // Not a target: a second 1,000 on a warm heap tells growth per device from heap warm-up.
    const again = await applyRun(ctx, configuration.id, ids.slice(1100, 2100), false)
    report(cfg, { loadBefore, list1k, list10k, apply100, apply1k, again, idle })
  } finally {
    bridge.close()
    sim.child.disconnect()
    await stopChild(sim.child)
    await stopChild(serve)
  }
}
