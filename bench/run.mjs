// `npm run bench`: the token endpoint under load against a sign-only reference (and, for
// scale, the same reference on two threads; oidc-provider when installed), spawn-to-first-token,
// and memory after load. Prints a table and, last, one JSON line {"bench": {...}}. Exits 0
// whatever the targets say; 1 on a crash.
//
// Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, 2), BENCH_ROUNDS (2),
// BENCH_CONNECTIONS (50), BENCH_SPAWN_RUNS (5), BENCH_SERVE_NODE_ARGS (node flags for the serve
// process under load only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": Node 20 refuses
// --cpu-prof in NODE_OPTIONS), BENCH_PROTOTYPE=1 (also loads bench/two-acceptor-prototype.mjs:
// our handler on two threads sharing one listening descriptor: a measurement, not a design).
import { execFileSync } from 'node:child_process'
import { createPublicKey, randomBytes, verify } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import {
  BENCH_DIR,
  CLI,
  ROOT,
  TOKEN_FORM,
  envNumber,
  httpsCall,
  killAllChildren,
  median,
  memoryOf,
  note,
  reexecUnderKeychain,
  runCommand,
  spawnTracked,
  stopChild,
  tokenRequestHeaders,
  waitForReady,
} from './lib.mjs'

const TARGETS = {
  trustLookupRps: 5000,
  throughputVsReference: 1.0,
  throughputVsOidcProvider: 3,
  spawnToFirstTokenMs: 450,
  rssMiB: 110,
}

const ADD_CLIENT = ['clients', 'add', '--id', 'bench', '--owner', '1', '--json', '--data-dir']

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
  const stop = (why) => {
    note(`${why}: stopping`)
    cleanup()
    process.exit(130)
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, () => stop(signal))
  // Started by the re-exec above: stop if that process disappears (even by SIGKILL).
  const parentPid = Number(process.env.BENCH_PARENT_PID)
  if (parentPid > 0) {
    setInterval(() => {
      try {
        process.kill(parentPid, 0)
      } catch {
        stop('the parent process is gone')
      }
    }, 1000).unref()
  }
  try {
    tmpRoot = mkdtempSync(join(tmpdir(), 'plgd-m2m-bench-'))
    await main(tmpRoot)
    process.exitCode = 0
  } catch (err) {
    note(`crashed: ${err?.stack ?? err}`)
    process.exitCode = 1
  } finally {
    cleanup()
  }
}

function config() {
  return {
    durationS: envNumber('BENCH_DURATION', 10, 1),
    warmupS: envNumber('BENCH_WARMUP', 2, 0),
    rounds: Math.round(envNumber('BENCH_ROUNDS', 2, 1)),
    connections: Math.round(envNumber('BENCH_CONNECTIONS', 50, 1)),
    spawnRuns: Math.round(envNumber('BENCH_SPAWN_RUNS', 5, 1)),
    serveNodeArgs: (process.env.BENCH_SERVE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
    prototype: process.env.BENCH_PROTOTYPE === '1',
  }
}

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
  for (const t of targets) t.headers = tokenRequestHeaders('bench', t.secret)
  const oursHeaders = targets.find((t) => t.name === 'ours').headers

  // Each endpoint answers one CA-verified request correctly before it is loaded.
  for (const t of targets) await preflight(t)
  await checkOurSignature(ours, oursHeaders)

  const idle = memoryOf(ours.child.pid)
  const clockTicks = clockTicksPerSecond()
  const results = Object.fromEntries(targets.map((t) => [t.name, []]))
  // Each server's memory right after each of its loads (the sign-only reference's: what Node,
  // TLS and one signing key cost alone).
  const afterLoad = Object.fromEntries(targets.map((t) => [t.name, []]))
  for (let round = 1; round <= cfg.rounds; round++) {
    for (const t of targets) {
      if (cfg.warmupS > 0) await load(autocannon, t, cfg, cfg.warmupS)
      const cpuBefore = cpuSeconds(t.server.child.pid, clockTicks)
      const clientBefore = process.cpuUsage()
      const r = await load(autocannon, t, cfg, cfg.durationS)
      const clientUsage = process.cpuUsage(clientBefore)
      const cpu = cpuSeconds(t.server.child.pid, clockTicks) - cpuBefore
      afterLoad[t.name].push(memoryOf(t.server.child.pid))
      const summary = summarise(r, cpu, (clientUsage.user + clientUsage.system) / 1e6)
      results[t.name].push(summary)
      note(
        `round ${round} ${t.label}: ${fmt(summary.rps, 0)} req/s, p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms, server CPU ${fmt(summary.serverCpuPct, 0)} %, client CPU ${fmt(summary.clientCpuPct, 0)} %`,
      )
      if (summary.non2xx > 0 || summary.errors > 0) {
        note(
          `WARNING: ${t.label}: ${summary.non2xx} non-2xx, ${summary.errors} errors (${summary.timeouts} timeouts)`,
        )
      }
    }
  }
  // --- the hub's trust-verification lookup (interop §2.5): GET by jti with the token as bearer
  const lookup = await trustLookup(autocannon, ours, oursHeaders, cfg)
  note(`trust lookup: ${fmt(lookup.rps, 0)} req/s, p50 ${lookup.p50Ms} ms, p99 ${lookup.p99Ms} ms`)

  await Promise.all(
    [ours, reference, referenceTwoThreads, oidc, prototype]
      .filter(Boolean)
      .map((s) => stopChild(s.child, cfg.serveNodeArgs.length > 0 ? 30_000 : 5000)),
  )

  report({
    cfg,
    targets,
    results,
    afterLoad,
    idle,
    fresh,
    warmStarts,
    oidcAvailable,
    lookup,
  })
}

/**
 * What every hub service sends for a new jti when the issuer is a station: one token asks about
 * itself, exactly as in interop §2.5, under the same load shape as the token endpoint.
 */
async function trustLookup(autocannon, ours, headers, cfg) {
  const res = await httpsCall(ours.url, { method: 'POST', headers, body: TOKEN_FORM, ca: ours.ca })
  const token = JSON.parse(res.body).access_token
  const { jti } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'))
  const url = `${ours.ready.issuer}/api/v1/tokens?idFilter=${jti}&includeBlacklisted=true`
  const lookupHeaders = { accept: 'application/protojson', authorization: `bearer ${token}` }
  const check = await httpsCall(url, { headers: lookupHeaders, ca: ours.ca })
  if (check.status !== 200 || !check.body.includes(jti)) {
    throw new Error(`trust lookup preflight answered ${check.status}: ${check.body.slice(0, 200)}`)
  }
  const t = {
    label: 'trust lookup',
    server: { url, ca: ours.ca },
    headers: lookupHeaders,
    method: 'GET',
  }
  if (cfg.warmupS > 0) await load(autocannon, t, cfg, cfg.warmupS)
  const cpuBefore = cpuSeconds(ours.child.pid, clockTicksPerSecond())
  const r = await load(autocannon, t, cfg, cfg.durationS)
  const cpu = cpuSeconds(ours.child.pid, clockTicksPerSecond()) - cpuBefore
  return summarise(r, cpu, 0)
}

/** Resolves without loading the package (loading it prints runtime warnings here). */
function isResolvable(specifier) {
  try {
    import.meta.resolve(specifier)
    return true
  } catch {
    return false
  }
}

async function startOurs(dataDir, nodeArgs) {
  const child = spawnTracked(
    process.execPath,
    // A station (always-on issuer), as the trust-verification lookup needs.
    [
      ...nodeArgs,
      CLI,
      'serve',
      '--listen',
      '127.0.0.1:0',
      '--station',
      '--json',
      '--data-dir',
      dataDir,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
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

function summarise(r, serverCpuS, clientCpuS) {
  const total = r['2xx'] + r.non2xx
  return {
    rps: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    meanMs: r.latency.average,
    requests: total,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    durationS: r.duration,
    serverCpuPct: (100 * serverCpuS) / r.duration,
    serverCpuUsPerReq: total > 0 ? (serverCpuS * 1e6) / total : NaN,
    // autocannon runs in this process: near 100 % means the client, not the server, was the limit.
    clientCpuPct: (100 * clientCpuS) / r.duration,
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

/** Fresh data directory: vault, signing keys and CA are created by serve itself. */
async function firstStart(dataDir) {
  const t0 = performance.now()
  const child = spawnTracked(
    process.execPath,
    [CLI, 'serve', '--listen', '127.0.0.1:0', '--json', '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  try {
    const ready = await waitForReady(child)
    const readyMs = performance.now() - t0
    const ca = readFileSync(ready.caCertFile, 'utf8')
    // The client is added by the CLI, which hands it to the running instance's control socket.
    const tAdd = performance.now()
    const added = JSON.parse(await runCommand(process.execPath, [CLI, ...ADD_CLIENT, dataDir]))
    const addClientMs = performance.now() - tAdd
    const headers = tokenRequestHeaders('bench', added.clientSecret)
    const res = await httpsCall(ready.tokenEndpoint, {
      method: 'POST',
      headers,
      body: TOKEN_FORM,
      ca,
    })
    // The CLI round trip is the bench's doing, not start-up: it is left out.
    const firstTokenMs = performance.now() - t0 - addClientMs
    if (res.status !== 200) throw new Error(`fresh start: token endpoint answered ${res.status}`)
    const { rssMiB } = memoryOf(child.pid)
    return { readyMs, addClientMs, firstTokenMs, rssMiB, headers, clientSecret: added.clientSecret }
  } finally {
    await stopChild(child)
  }
}

/** Already initialised data directory: spawn → ready line → first 200 from the token endpoint. */
async function warmStart(dataDir, headers) {
  const t0 = performance.now()
  const child = spawnTracked(
    process.execPath,
    [CLI, 'serve', '--listen', '127.0.0.1:0', '--json', '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  try {
    const ready = await waitForReady(child)
    const readyMs = performance.now() - t0
    const ca = readFileSync(ready.caCertFile, 'utf8')
    const res = await httpsCall(ready.tokenEndpoint, {
      method: 'POST',
      headers,
      body: TOKEN_FORM,
      ca,
    })
    const firstTokenMs = performance.now() - t0
    if (res.status !== 200) throw new Error(`start-up: token endpoint answered ${res.status}`)
    return { readyMs, firstTokenMs, rssMiB: memoryOf(child.pid).rssMiB }
  } finally {
    await stopChild(child)
  }
}

function medianOf(rows) {
  const keys = Object.keys(rows[0])
  return Object.fromEntries(keys.map((k) => [k, median(rows.map((r) => r[k]))]))
}

function fmt(value, digits = 1) {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a'
}

function report({
  cfg,
  targets,
  results,
  afterLoad,
  idle,
  fresh,
  warmStarts,
  oidcAvailable,
  lookup,
}) {
  const med = Object.fromEntries(targets.map((t) => [t.name, medianOf(results[t.name])]))
  const sum = (name, key) => results[name].reduce((n, r) => n + r[key], 0)
  const ref = med.reference
  const ours = med.ours
  const oidc = med.oidcProvider
  const throughputRatio = ours.rps / ref.rps
  const p99Ratio = ours.p99Ms / ref.p99Ms
  const oidcRatio = oidc ? ours.rps / oidc.rps : undefined
  const twoThreads = med.referenceTwoThreads
  const secondCoreGain = twoThreads.rps / ref.rps
  const warm = {
    readyMs: median(warmStarts.map((s) => s.readyMs)),
    firstTokenMs: median(warmStarts.map((s) => s.firstTokenMs)),
  }
  const rssMax = Math.max(...afterLoad.ours.map((m) => m.rssMiB))
  const hwmMax = Math.max(...afterLoad.ours.map((m) => m.hwmMiB))

  const verdict = (pass) => (pass ? 'PASS' : 'FAIL')
  const checks = [
    {
      name: 'trust lookup (GET by jti)',
      target: `≥ ${TARGETS.trustLookupRps} req/s`,
      value: `${fmt(lookup.rps, 0)} req/s (p99 ${fmt(lookup.p99Ms, 0)} ms)`,
      pass: lookup.rps >= TARGETS.trustLookupRps,
    },
    {
      name: 'throughput vs reference',
      target: `≥ ${TARGETS.throughputVsReference.toFixed(1)}× reference`,
      value: `${fmt(throughputRatio, 2)}×`,
      pass: throughputRatio >= TARGETS.throughputVsReference,
    },
    oidc
      ? {
          name: 'throughput vs oidc-provider',
          target: `≥ ${TARGETS.throughputVsOidcProvider}× oidc-provider`,
          value: `${fmt(oidcRatio, 2)}×`,
          pass: oidcRatio >= TARGETS.throughputVsOidcProvider,
        }
      : {
          name: 'throughput vs oidc-provider',
          target: `≥ ${TARGETS.throughputVsOidcProvider}× oidc-provider`,
          value: 'skipped (not installed)',
          pass: null,
        },
    {
      name: 'p99 latency',
      target: '≤ reference p99',
      value: `${fmt(ours.p99Ms, 0)} ms vs ${fmt(ref.p99Ms, 0)} ms (${fmt(p99Ratio, 2)}×)`,
      pass: ours.p99Ms <= ref.p99Ms,
    },
    {
      name: 'spawn-to-first-token',
      target: `≤ ${TARGETS.spawnToFirstTokenMs} ms`,
      value: `${fmt(warm.firstTokenMs, 0)} ms`,
      pass: warm.firstTokenMs <= TARGETS.spawnToFirstTokenMs,
    },
    {
      name: 'RSS after load',
      target: `≤ ${TARGETS.rssMiB} MiB`,
      value: `${fmt(rssMax, 1)} MiB`,
      pass: rssMax <= TARGETS.rssMiB,
    },
  ]

  const out = []
  const line = (s = '') => out.push(s)
  const pad = (s, n) => String(s).padEnd(n)
  const lpad = (s, n) => String(s).padStart(n)
  line()
  line(
    `Token endpoint under load: ${cfg.connections} connections, POST client_credentials (client_secret_basic), ` +
      `${cfg.warmupS} s warm-up + ${cfg.durationS} s, median of ${cfg.rounds} alternating round(s)`,
  )
  line(
    `${pad('server', 22)}${lpad('req/s', 9)}${lpad('p50 ms', 9)}${lpad('p99 ms', 9)}${lpad('mean ms', 9)}` +
      `${lpad('srv CPU', 9)}${lpad('µs/req', 9)}${lpad('cli CPU', 9)}${lpad('non-2xx', 9)}${lpad('errors', 8)}`,
  )
  for (const t of targets) {
    const m = med[t.name]
    line(
      `${pad(t.label, 22)}${lpad(fmt(m.rps, 0), 9)}${lpad(fmt(m.p50Ms, 0), 9)}${lpad(fmt(m.p99Ms, 0), 9)}` +
        `${lpad(fmt(m.meanMs, 1), 9)}${lpad(`${fmt(m.serverCpuPct, 0)}%`, 9)}${lpad(fmt(m.serverCpuUsPerReq, 0), 9)}${lpad(`${fmt(m.clientCpuPct, 0)}%`, 9)}` +
        `${lpad(sum(t.name, 'non2xx'), 9)}${lpad(sum(t.name, 'errors'), 8)}`,
    )
  }
  line(
    '  srv CPU: server process CPU over the run (100 % = one core); µs/req: server CPU per request' +
      ' (the figure least affected by other load); cli CPU: autocannon, in this process',
  )
  line('  per round req/s:')
  for (const t of targets) {
    line(`    ${pad(t.label, 22)}${results[t.name].map((r) => fmt(r.rps, 0)).join('  ')}`)
  }
  if (!oidcAvailable) line('  oidc-provider: not installed, skipped')
  for (const t of targets) {
    const bad = sum(t.name, 'non2xx') + sum(t.name, 'errors')
    if (bad > 0) {
      line(
        `  WARNING: ${t.label} answered ${sum(t.name, 'non2xx')} non-2xx and had ${sum(t.name, 'errors')} errors`,
      )
    }
  }
  line(
    `  ours/reference: throughput ${fmt(throughputRatio, 2)}×, p99 ${fmt(p99Ratio, 2)}×` +
      (oidc ? `; ours/oidc-provider: throughput ${fmt(oidcRatio, 2)}×` : ''),
  )
  line(
    `  the reference on 2 threads: ${fmt(secondCoreGain, 2)}× the reference at ${fmt(twoThreads.serverCpuUsPerReq, 0)} µs/req` +
      ` (a second core's worth here, beside the load generator); ours: ${fmt(ours.rps / twoThreads.rps, 2)}× of it`,
  )
  const proto = med.twoAcceptorPrototype
  if (proto) {
    line(
      `  2-acceptor prototype (a measurement, not shippable as written): ${fmt(proto.rps / ref.rps, 2)}× the reference at ` +
        `${fmt(proto.serverCpuUsPerReq, 0)} µs/req; RSS after load ${afterLoad.twoAcceptorPrototype.map((m) => fmt(m.rssMiB)).join(', ')} MiB`,
    )
  }
  line()
  line('Start-up (serve → ready line → first 200 from the token endpoint)')
  line(
    `  initialised data dir, median of ${warmStarts.length}: ready ${fmt(warm.readyMs, 0)} ms, first token ${fmt(warm.firstTokenMs, 0)} ms` +
      `  (runs: ${warmStarts.map((s) => fmt(s.firstTokenMs, 0)).join(', ')})`,
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
    `  right after each ${cfg.durationS} s load: ${afterLoad.ours.map((m) => fmt(m.rssMiB)).join(', ')} MiB` +
      ` (VmHWM ${fmt(hwmMax)} MiB)`,
  )
  line(
    `  the sign-only reference right after the same loads: ${afterLoad.reference.map((m) => fmt(m.rssMiB)).join(', ')} MiB`,
  )
  line()
  line('Targets')
  for (const c of checks) {
    line(
      `  ${pad(c.name, 30)}${pad(c.target, 26)}${pad(c.value, 32)}${c.pass === null ? 'SKIP' : verdict(c.pass)}`,
    )
  }
  line()
  process.stdout.write(`${out.join('\n')}\n`)

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
      reference: { median: ref, rounds: results.reference },
      referenceTwoThreads: { median: twoThreads, rounds: results.referenceTwoThreads },
      ours: { median: ours, rounds: results.ours },
      oidcProvider: oidc ? { median: oidc, rounds: results.oidcProvider } : null,
      twoAcceptorPrototype: proto
        ? {
            median: proto,
            rounds: results.twoAcceptorPrototype,
            afterLoad: afterLoad.twoAcceptorPrototype,
          }
        : null,
      ratios: {
        throughputOursOverReference: throughputRatio,
        p99OursOverReference: p99Ratio,
        throughputOursOverOidcProvider: oidcRatio ?? null,
        throughputTwoThreadReferenceOverReference: secondCoreGain,
      },
      startup: {
        initialised: {
          medianReadyMs: warm.readyMs,
          medianFirstTokenMs: warm.firstTokenMs,
          runs: warmStarts,
        },
        fresh: {
          readyMs: fresh.readyMs,
          addClientMs: fresh.addClientMs,
          firstTokenMs: fresh.firstTokenMs,
          rssMiB: fresh.rssMiB,
        },
      },
      memory: {
        idle,
        afterLoad: afterLoad.ours,
        maxRssMiB: rssMax,
        maxHwmMiB: hwmMax,
        referenceAfterLoad: afterLoad.reference,
      },
      trustLookup: lookup,
      targets: checks.map((c) => ({
        name: c.name,
        target: c.target,
        value: c.value,
        pass: c.pass,
      })),
    },
  }
  process.stdout.write(`${JSON.stringify(json)}\n`)
}
