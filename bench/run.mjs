// `npm run bench`: the token endpoint under load against a sign-only reference (and, for
// scale, the same reference on two threads; oidc-provider when installed), the hub's
// trust-verification lookup, spawn-to-first-token, and memory right after each load. Every
// load figure is measured in interleaved rounds (odd rounds in one order, even rounds in the
// reverse) and reported as the median and range over the rounds; ratios to the reference are
// medians of the per-round ratios. Prints one JSON line {"bench": {...}} first, then the report,
// ending with the targets table (bench/targets.mjs). Exits 0 whatever the targets say; 1 on a crash.
//
// Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, 2), BENCH_ROUNDS (5),
// BENCH_CONNECTIONS (50), BENCH_SPAWN_RUNS (5), BENCH_SERVE_NODE_ARGS (node flags for the serve
// process under load only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": Node 20 refuses
// --cpu-prof in NODE_OPTIONS), BENCH_PROTOTYPE=1 (also loads bench/two-acceptor-prototype.mjs:
// our handler on two threads sharing one listening descriptor: a measurement, not a design).
// A/B: BENCH_VARIANT_ROOT (another build's root: its bin/ and dist/), BENCH_VARIANT_NODE_ARGS
// and/or BENCH_VARIANT_ENV ("NAME=value …" for its environment, e.g.
// "PLGD_M2M_SIGNING_THREAD=0") load a second `serve`, the variant, in the same rounds on a copy of
// the data directory, and the report adds variant ÷ ours round by round. BENCH_ONLY (names,
// comma-separated, e.g. "variant", or "none") keeps only those loads beside ours and the reference.
// BENCH_PERF=1 records those loads with Linux perf and prints where a token's CPU goes in each
// (bench/perf-split.mjs: needs perf, and root or kernel.perf_event_paranoid ≤ 1).
import { execFileSync } from 'node:child_process'
import { createPublicKey, randomBytes, verify } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  BENCH_DIR,
  CLI,
  ROOT,
  TOKEN_FORM,
  fmt,
  httpsCall,
  memoryOf,
  note,
  runBench,
  spawnTracked,
  stopChild,
  tokenRequestHeaders,
  waitForReady,
} from './lib.mjs'
import { recordPerf, perfSplit } from './perf-split.mjs'
import { config } from './run-config.mjs'
import { report } from './run-report.mjs'
import { firstStart, warmStart } from './startup.mjs'

/** Numbers the BENCH_PERF recordings. */
let perfRuns = 0

await runBench(import.meta.url, { name: 'bench' }, main)

async function main(tmpRoot) {
  const cfg = config()
  if (!existsSync(join(ROOT, 'dist/cli/cli.js'))) {
    throw new Error('dist/ is missing: build first (npm run build)')
  }
  const { default: autocannon } = await import('autocannon')
  const oidcAvailable = isResolvable('oidc-provider')
  note(
    `${cfg.rounds} round(s) × ${cfg.warmupS} s warm-up + ${cfg.durationS} s, ${cfg.connections} connections`,
  )

  // --- start-up (before any load, on the data directory the load test then uses) -----------
  const dataDir = join(tmpRoot, 'data')
  note('start-up: first start on a fresh data directory')
  const fresh = await firstStart(dataDir)
  const warmStarts = []
  for (let i = 0; i < cfg.spawnRuns; i++) warmStarts.push(await warmStart(dataDir, fresh.headers))
  note(`start-up: ${warmStarts.map((s) => fmt(s.firstTokenMs, 0)).join(', ')} ms`)

  // --- servers under load: ours restarts on the initialised directory, as it usually does ---
  let variant
  if (cfg.variant) {
    // Its own copy of the initialised directory: one data directory serves one process.
    const variantDir = join(tmpRoot, 'variant-data')
    cpSync(dataDir, variantDir, { recursive: true })
    variant = await startOurs(variantDir, cfg.variant.nodeArgs, cfg.variant.cli, cfg.variant.env)
  }
  const ours = await startOurs(dataDir, cfg.serveNodeArgs)
  const reference = await startBenchServer('sign-only-server.mjs', ['1'])
  // Not a target: what a second core gives the reference's own handler next to the load
  // generator, i.e. the most any design can gain from both cores on this machine.
  const referenceTwoThreads = await startBenchServer('sign-only-server.mjs', ['2'])
  const oidcSecret = randomBytes(32).toString('base64url')
  const oidc = oidcAvailable
    ? await startBenchServer('oidc-provider-server.mjs', [oidcSecret])
    : undefined
  if (!oidcAvailable) note('oidc-provider: not installed, skipped')
  const prototypeSecret = randomBytes(32).toString('base64url')
  const prototype = cfg.prototype
    ? await startBenchServer('two-acceptor-prototype.mjs', [prototypeSecret])
    : undefined

  const targets = [
    { name: 'reference', label: 'sign-only reference', server: reference, secret: 'unused' },
    {
      name: 'referenceTwoThreads',
      label: 'reference, 2 threads',
      server: referenceTwoThreads,
      secret: 'unused',
    },
    { name: 'ours', label: 'ours (serve)', server: ours, secret: fresh.clientSecret },
  ]
  if (oidc)
    targets.push({ name: 'oidcProvider', label: 'oidc-provider', server: oidc, secret: oidcSecret })
  if (prototype) {
    targets.push({
      name: 'twoAcceptorPrototype',
      label: '2-acceptor prototype',
      server: prototype,
      secret: prototypeSecret,
    })
  }
  if (variant) {
    targets.push({
      name: 'variant',
      label: 'variant (serve)',
      server: variant,
      secret: fresh.clientSecret,
    })
  }
  if (cfg.only) {
    const keep = new Set(['reference', 'ours', ...cfg.only])
    targets.splice(0, targets.length, ...targets.filter((t) => keep.has(t.name)))
  }
  for (const t of targets) t.headers = tokenRequestHeaders('bench', t.secret)
  if (cfg.perf) {
    cfg.perfDir = join(tmpRoot, 'perf')
    mkdirSync(cfg.perfDir)
    for (const t of targets) t.split = ['reference', 'ours', 'variant'].includes(t.name)
  }
  const oursHeaders = targets.find((t) => t.name === 'ours').headers

  // Each endpoint answers one CA-verified request correctly before it is loaded.
  for (const t of targets) await preflight(t)
  await checkOurSignature(ours, oursHeaders)
  // The hub's trust-verification lookup (interop §2.5) loads ours too, in the same rounds.
  if (!cfg.only || cfg.only.includes('trustLookup'))
    targets.push({
      name: 'trustLookup',
      label: 'trust lookup (ours)',
      prepare: () => trustLookupTarget(ours, oursHeaders),
    })

  const idle = memoryOf(ours.child.pid)
  const clockTicks = clockTicksPerSecond()
  const results = Object.fromEntries(targets.map((t) => [t.name, []]))
  const order = []
  for (let round = 1; round <= cfg.rounds; round++) {
    // Alternate the order so no server always runs first or right after another's load.
    const inOrder = round % 2 === 1 ? targets : [...targets].reverse()
    order.push(inOrder.map((t) => t.name))
    for (const entry of inOrder) {
      const t = entry.prepare ? await entry.prepare() : entry
      const summary = await measure(autocannon, t, cfg, clockTicks)
      results[entry.name].push(summary)
      note(
        `round ${round} ${t.label}: ${fmt(summary.rps, 0)} req/s, p99 ${summary.p99Ms} ms, ` +
          `${fmt(summary.cpuUsPerOk, 0)} µs CPU per 200, server CPU ${fmt(summary.serverCpuPct, 0)} %, ` +
          `client CPU ${fmt(summary.clientCpuPct, 0)} %, RSS ${fmt(summary.rssMiB)} MiB`,
      )
      if (summary.non2xx > 0 || summary.errors > 0) {
        note(
          `WARNING: ${t.label}: ${summary.non2xx} non-2xx, ${summary.errors} errors (${summary.timeouts} timeouts)`,
        )
      }
    }
  }

  await Promise.all(
    [ours, variant, reference, referenceTwoThreads, oidc, prototype]
      .filter(Boolean)
      .map((s) => stopChild(s.child, cfg.serveNodeArgs.length > 0 ? 30_000 : 5000)),
  )

  process.stdout.write(report({ cfg, targets, order, results, idle, fresh, warmStarts }))
}

/**
 * One measured load: warm-up, then the load, with the server's CPU over the load alone and its
 * memory read from the process right after it.
 */
async function measure(autocannon, t, cfg, clockTicks) {
  if (cfg.warmupS > 0) await load(autocannon, t, cfg, cfg.warmupS)
  const cpuBefore = cpuSeconds(t.server.child.pid, clockTicks)
  const clientBefore = process.cpuUsage()
  // BENCH_PERF: perf records all but the last second of the load (it takes a moment to attach).
  const perfSeconds = cfg.durationS - 1
  const perfFile =
    cfg.perfDir && t.split ? join(cfg.perfDir, `${t.name}-${++perfRuns}.data`) : undefined
  const recording = perfFile ? recordPerf(t.server.child.pid, perfSeconds, perfFile) : undefined
  const r = await load(autocannon, t, cfg, cfg.durationS)
  const clientUsage = process.cpuUsage(clientBefore)
  const cpu = cpuSeconds(t.server.child.pid, clockTicks) - cpuBefore
  const memory = memoryOf(t.server.child.pid)
  const summary = summarise(r, cpu, (clientUsage.user + clientUsage.system) / 1e6, memory)
  if (recording) {
    await recording
    const tokens = (summary.ok * perfSeconds) / summary.durationS
    summary.perf = perfSplit(perfFile, { seconds: perfSeconds, tokens })
  }
  return summary
}

/**
 * What every hub service sends for a new jti when the issuer is a station: one token asks about
 * itself, exactly as in interop §2.5, under the same load shape as the token endpoint. A fresh
 * token each round, so no round depends on an earlier token's lifetime.
 */
async function trustLookupTarget(ours, headers) {
  const res = await httpsCall(ours.url, { method: 'POST', headers, body: TOKEN_FORM, ca: ours.ca })
  const token = JSON.parse(res.body).access_token
  const { jti } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'))
  const url = `${ours.ready.issuer}/api/v1/tokens?idFilter=${jti}&includeBlacklisted=true`
  const lookupHeaders = { accept: 'application/protojson', authorization: `bearer ${token}` }
  const check = await httpsCall(url, { headers: lookupHeaders, ca: ours.ca })
  if (check.status !== 200 || !check.body.includes(jti)) {
    throw new Error(`trust lookup preflight answered ${check.status}: ${check.body.slice(0, 200)}`)
  }
  return {
    label: 'trust lookup',
    server: { url, ca: ours.ca, child: ours.child },
    headers: lookupHeaders,
    method: 'GET',
  }
}

function isResolvable(specifier) {
  try {
    import.meta.resolve(specifier)
    return true
  } catch {
    return false
  }
}

async function startOurs(dataDir, nodeArgs, cli = CLI, env = {}) {
  const child = spawnTracked(
    process.execPath,
    // A station (always-on issuer), as the trust-verification lookup needs.
    [
      ...nodeArgs,
      cli,
      'serve',
      '--listen',
      '127.0.0.1:0',
      '--station',
      '--json',
      '--data-dir',
      dataDir,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  )
  const ready = await waitForReady(child)
  return { child, url: ready.tokenEndpoint, ca: readFileSync(ready.caCertFile, 'utf8'), ready }
}

async function startBenchServer(script, args) {
  const child = spawnTracked(process.execPath, [join(BENCH_DIR, script), ...args])
  const ready = await waitForReady(child)
  return { child, url: `https://127.0.0.1:${ready.port}${ready.path}`, ca: ready.ca }
}

async function preflight(t) {
  const res = await httpsCall(t.server.url, {
    method: 'POST',
    headers: t.headers,
    body: TOKEN_FORM,
    ca: t.server.ca,
  })
  const token = res.status === 200 ? JSON.parse(res.body).access_token : undefined
  if (typeof token !== 'string' || token.split('.').length !== 3) {
    throw new Error(`${t.label}: preflight POST answered ${res.status}: ${res.body.slice(0, 300)}`)
  }
  const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'))
  if (header.alg !== 'ES256') throw new Error(`${t.label}: token signed with ${header.alg}`)
}

/** Our token verifies against our JWKS: the load test measures real, valid tokens. */
async function checkOurSignature(ours, headers) {
  const res = await httpsCall(ours.url, { method: 'POST', headers, body: TOKEN_FORM, ca: ours.ca })
  const token = JSON.parse(res.body).access_token
  const [h, p, s] = token.split('.')
  const { kid } = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'))
  const jwks = JSON.parse((await httpsCall(ours.ready.jwksUri, { ca: ours.ca })).body)
  const jwk = jwks.keys.find((k) => k.kid === kid)
  if (!jwk) throw new Error(`ours: kid ${kid} is not in the JWKS`)
  const key = { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }
  if (!verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))) {
    throw new Error('ours: the issued token does not verify against the JWKS')
  }
}

/** One autocannon run, bounded: stopped if it overruns its duration by 30 s. */
async function load(autocannon, t, cfg, seconds) {
  // autocannon 8 forces rejectUnauthorized: false on its TLS sockets whatever tlsOptions say;
  // the CA-verified preflight is what checks each server's certificate chain.
  const instance = autocannon({
    url: t.server.url,
    method: t.method ?? 'POST',
    headers: t.headers,
    ...(t.method === 'GET' ? {} : { body: TOKEN_FORM }),
    connections: cfg.connections,
    duration: seconds,
    servername: 'localhost',
    tlsOptions: { ca: t.server.ca },
  })
  let timer
  const overrun = new Promise((_resolve, reject) => {
    timer = setTimeout(
      () => {
        instance.stop()
        reject(new Error(`${t.label}: autocannon did not finish in ${seconds + 30} s`))
      },
      (seconds + 30) * 1000,
    )
  })
  try {
    return await Promise.race([instance, overrun])
  } finally {
    clearTimeout(timer)
  }
}

function summarise(r, serverCpuS, clientCpuS, memory) {
  return {
    rps: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    meanMs: r.latency.average,
    requests: r['2xx'] + r.non2xx,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    durationS: r.duration,
    serverCpuPct: (100 * serverCpuS) / r.duration,
    // The whole server process (all threads), per answer 200: for the token endpoint, per token.
    cpuUsPerOk: r['2xx'] > 0 ? (serverCpuS * 1e6) / r['2xx'] : NaN,
    // autocannon runs in this process: near 100 % means the client, not the server, was the limit.
    clientCpuPct: (100 * clientCpuS) / r.duration,
    rssMiB: memory.rssMiB,
    hwmMiB: memory.hwmMiB,
  }
}

function clockTicksPerSecond() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
}

/** User + system CPU seconds a process has used so far. */
function cpuSeconds(pid, ticks) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / ticks
}
