// `node bench/ui.mjs`: the console's UI targets. (a) renderer JavaScript, gzipped; (b) time to
// interactive of the console served headless (navigation start → data-app-state="ready") in
// headless Chromium, median of fresh page loads; (c) issuing a token from the UI, p95 of round
// trips, both as the bridge call the UI makes and as a click on "Issue token" until the result
// shows. Prints a table and, last, one JSON line {"benchUi": {...}}. Exits 0 whatever the targets
// say; 1 on a crash or when the time limit is hit.
//
// Needs `npm run build` (dist/renderer, dist/cli) and /usr/bin/chromium (or BENCH_UI_CHROMIUM).
// Environment: BENCH_UI_LOADS (page loads, default 5), BENCH_UI_ISSUES (round trips, 30),
// BENCH_UI_TIME_LIMIT (s, 60).
// Functions passed to page.evaluate and addInitScript run in the page:
/* global document, window, MutationObserver */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import {
  CLI,
  ROOT,
  envNumber,
  killAllChildren,
  median,
  note,
  reexecUnderKeychain,
  spawnTracked,
  stopChild,
  waitForReady,
} from './lib.mjs'

const TARGETS = { rendererGzipKB: 300, interactiveMs: 1000, issueP95Ms: 100 }
const CHROMIUM = process.env.BENCH_UI_CHROMIUM ?? '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--password-store=basic',
]
const WARMUP_ISSUES = 3
const CLIENT_ID = 'bench-ui'
const SESSION_KEY = 'plgd-console-session'

if (process.env.KEYCHAIN_TEST_HOME === undefined) reexecUnderKeychain(import.meta.url)
else await runGuarded()

async function runGuarded() {
  let tmpRoot
  let browser
  const cleanup = () => {
    killAllChildren()
    if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true })
    tmpRoot = undefined
  }
  process.on('exit', cleanup)
  const stop = (why, code) => {
    note(`${why}: stopping`)
    // Playwright kills the browser it launched when this process exits.
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
  const cfg = config()
  const deadline = setTimeout(
    () => stop(`time limit of ${cfg.timeLimitS} s reached`, 1),
    cfg.timeLimitS * 1000,
  )
  try {
    tmpRoot = mkdtempSync(join(tmpdir(), 'plgd-m2m-bench-ui-'))
    await main(cfg, tmpRoot, (b) => (browser = b))
    process.exitCode = 0
  } catch (err) {
    note(`crashed: ${err?.stack ?? err}`)
    process.exitCode = 1
  } finally {
    clearTimeout(deadline)
    await browser?.close().catch(() => undefined)
    cleanup()
  }
}

function config() {
  return {
    loads: Math.round(envNumber('BENCH_UI_LOADS', 5, 1)),
    issues: Math.round(envNumber('BENCH_UI_ISSUES', 30, 1)),
    timeLimitS: envNumber('BENCH_UI_TIME_LIMIT', 60, 5),
  }
}

/** The nearest-rank percentile. */
function percentile(values, p) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

function fmt(value, digits = 1) {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a'
}

/** (a) Every .js of the renderer build, gzipped one by one (zlib's default level), summed. */
function rendererSize() {
  const dir = join(ROOT, 'dist/renderer/assets')
  if (!existsSync(dir)) throw new Error('dist/renderer is missing: run `npm run build` first')
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.js'))
    .map((name) => {
      const raw = readFileSync(join(dir, name))
      return { name, bytes: raw.length, gzipBytes: gzipSync(raw).length }
    })
    .sort((a, b) => b.gzipBytes - a.gzipBytes)
  const gzipBytes = files.reduce((sum, f) => sum + f.gzipBytes, 0)
  const bytes = files.reduce((sum, f) => sum + f.bytes, 0)
  return { files, bytes, gzipBytes, gzipKB: gzipBytes / 1024 }
}

async function startServe(tmpRoot) {
  const env = { ...process.env }
  for (const name of ['NODE_OPTIONS', 'PLGD_M2M_DATA_DIR', 'PLGD_M2M_VAULT_PASSPHRASE'])
    delete env[name]
  const child = spawnTracked(
    process.execPath,
    [CLI, 'serve', '--listen', '127.0.0.1:0', '--json', '--data-dir', join(tmpRoot, 'data')],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const ready = await waitForReady(child)
  if (typeof ready.consoleUrl !== 'string') throw new Error('serve printed no consoleUrl')
  return { child, consoleUrl: ready.consoleUrl }
}

/**
 * Records, in the page, the performance.now() (ms since navigation start) at which the root
 * first says "ready". Runs before the document has a root element: observes the document.
 */
function recordReadyMoment() {
  const check = () => {
    const root = document.documentElement
    if (window.__benchReadyAt === undefined && root?.getAttribute('data-app-state') === 'ready') {
      window.__benchReadyAt = performance.now()
    }
  }
  new MutationObserver(check).observe(document, {
    subtree: true,
    attributes: true,
    attributeFilter: ['data-app-state'],
  })
}

/** (b) One fresh browser context per load: empty cache, storage and session. */
async function measureLoad(browser, consoleUrl) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  try {
    const page = await context.newPage()
    await page.addInitScript(recordReadyMoment)
    const started = Date.now()
    await page.goto(consoleUrl, { waitUntil: 'commit' })
    await page.waitForSelector('html[data-app-state="ready"]', {
      state: 'attached',
      timeout: 15_000,
    })
    const wallMs = Date.now() - started
    const inPageMs = await page.evaluate(() => window.__benchReadyAt)
    return { inPageMs, wallMs }
  } finally {
    await context.close()
  }
}

/** A bridge call the way the renderer makes it, from the console page. */
function rpcInPage(page, method, input) {
  return page.evaluate(
    async ({ m, i, key }) => {
      const res = await fetch(`/api/rpc/${m}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${sessionStorage.getItem(key)}`,
        },
        body: JSON.stringify(i),
        cache: 'no-store',
      })
      const body = await res.json()
      if (!body.ok) throw new Error(`${m}: ${body.error.code}: ${body.error.message}`)
      return body.value
    },
    { m: method, i: input, key: SESSION_KEY },
  )
}

/** (c1) `tokens.issue` over the bridge, timed in the page (fetch + JSON parse). */
function issueViaBridge(page, count) {
  return page.evaluate(
    async ({ n, warmup, clientId, key }) => {
      const authorization = `Bearer ${sessionStorage.getItem(key)}`
      const times = []
      for (let i = 0; i < n + warmup; i++) {
        const started = performance.now()
        const res = await fetch('/api/rpc/tokens.issue', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization },
          body: JSON.stringify({ clientId }),
          cache: 'no-store',
        })
        const body = await res.json()
        const elapsed = performance.now() - started
        if (!body.ok || typeof body.value?.accessToken !== 'string') {
          throw new Error(`tokens.issue failed: ${JSON.stringify(body)}`)
        }
        if (i >= warmup) times.push(elapsed)
      }
      return times
    },
    { n: count, warmup: WARMUP_ISSUES, clientId: CLIENT_ID, key: SESSION_KEY },
  )
}

/**
 * (c2) The issue dialog: click "Issue token" and time until the result (token, countdown,
 * decoded claims) is in the DOM; "Issue another" brings the form back for the next round.
 */
function issueViaDialog(page, count) {
  return page.evaluate(
    async ({ n, warmup }) => {
      const appear = (selector, timeoutMs = 10_000) =>
        new Promise((resolve, reject) => {
          const found = document.querySelector(selector)
          if (found) return resolve(found)
          const timer = setTimeout(() => {
            observer.disconnect()
            reject(new Error(`${selector} did not appear in ${timeoutMs} ms`))
          }, timeoutMs)
          const observer = new MutationObserver(() => {
            const el = document.querySelector(selector)
            if (!el) return
            observer.disconnect()
            clearTimeout(timer)
            resolve(el)
          })
          observer.observe(document.body, { childList: true, subtree: true })
        })
      const times = []
      for (let i = 0; i < n + warmup; i++) {
        const submit = await appear('[data-testid="issue-submit"]:not([data-loading])')
        const started = performance.now()
        submit.click()
        await appear('[data-testid="token-result"] [data-testid="token-countdown"]')
        const elapsed = performance.now() - started
        if (i >= warmup) times.push(elapsed)
        const another = await appear('[data-testid="issue-another"]')
        another.click()
      }
      return times
    },
    { n: count, warmup: WARMUP_ISSUES },
  )
}

async function main(cfg, tmpRoot, setBrowser) {
  if (!existsSync(join(ROOT, 'dist/cli/cli.js')))
    throw new Error('dist/cli is missing: run `npm run build` first')
  const { chromium } = await import('playwright-core')

  const loadBefore = loadavg()[0]
  if (loadBefore > cpus().length / 2) {
    note(
      `WARNING: load average ${fmt(loadBefore, 2)} on ${cpus().length} CPUs: timings will be noisy`,
    )
  }
  const size = rendererSize()
  note(`renderer JS: ${size.files.length} files, ${fmt(size.gzipKB)} KB gzip`)

  const serve = await startServe(tmpRoot)
  note(`serve ready; console at ${new URL(serve.consoleUrl).origin}`)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  })
  setBrowser(browser)

  // Set-up as an operator would leave it: first run done, one client to issue for.
  const setupContext = await browser.newContext()
  const setupPage = await setupContext.newPage()
  await setupPage.goto(serve.consoleUrl)
  await setupPage.waitForSelector('html[data-app-state="ready"]', { state: 'attached' })
  await rpcInPage(setupPage, 'setup.complete', {
    alg: 'ES256',
    publicHost: null,
    exposeOnLan: false,
  })
  await rpcInPage(setupPage, 'clients.add', { id: CLIENT_ID, owner: '1' })
  await setupContext.close()

  // (b) Fresh page loads.
  const loads = []
  for (let i = 0; i < cfg.loads; i++) loads.push(await measureLoad(browser, serve.consoleUrl))
  note(`interactive: ${loads.map((l) => fmt(l.inPageMs, 0)).join(', ')} ms`)

  // (c) One console tab, as the operator keeps it open.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  await page.goto(serve.consoleUrl)
  await page.waitForSelector('html[data-app-state="ready"]', { state: 'attached' })
  const bridgeTimes = await issueViaBridge(page, cfg.issues)
  note(`bridge tokens.issue p95 ${fmt(percentile(bridgeTimes, 95))} ms`)
  await page.click('[data-testid="nav-tokens"]')
  await page.click('[data-testid="issue-token-button"]')
  await page.waitForSelector('[data-testid="issue-token-form"]')
  const dialogTimes = await issueViaDialog(page, cfg.issues)
  note(`dialog issue p95 ${fmt(percentile(dialogTimes, 95))} ms`)
  await context.close()
  await browser.close()
  await stopChild(serve.child)

  const interactive = {
    medianMs: median(loads.map((l) => l.inPageMs)),
    medianWallMs: median(loads.map((l) => l.wallMs)),
    runs: loads,
  }
  const stats = (times) => ({
    p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95),
    maxMs: Math.max(...times),
    runs: times.length,
  })
  const bridge = stats(bridgeTimes)
  const dialog = stats(dialogTimes)
  const checks = [
    {
      name: 'renderer JS (gzip)',
      target: `≤ ${TARGETS.rendererGzipKB} KB`,
      value: `${fmt(size.gzipKB)} KB`,
      pass: size.gzipKB <= TARGETS.rendererGzipKB,
    },
    {
      name: 'console interactive',
      target: `≤ ${TARGETS.interactiveMs} ms (median)`,
      value: `${fmt(interactive.medianMs, 0)} ms`,
      pass: interactive.medianMs <= TARGETS.interactiveMs,
    },
    {
      name: 'issue token, bridge call',
      target: `≤ ${TARGETS.issueP95Ms} ms (p95)`,
      value: `${fmt(bridge.p95Ms)} ms`,
      pass: bridge.p95Ms <= TARGETS.issueP95Ms,
    },
    {
      name: 'issue token, click → result',
      target: `≤ ${TARGETS.issueP95Ms} ms (p95)`,
      value: `${fmt(dialog.p95Ms)} ms`,
      pass: dialog.p95Ms <= TARGETS.issueP95Ms,
    },
  ]

  const out = []
  const line = (s = '') => out.push(s)
  const pad = (s, n) => String(s).padEnd(n)
  line()
  line(
    `Renderer JavaScript: ${size.files.length} files in dist/renderer/assets, ${fmt(size.bytes / 1024)} KB raw, ` +
      `${fmt(size.gzipKB)} KB gzip (each file gzipped alone, KB = 1024 bytes)`,
  )
  for (const f of size.files.slice(0, 5)) {
    line(`  ${pad(f.name, 40)}${fmt(f.gzipBytes / 1024).padStart(8)} KB gzip`)
  }
  line()
  line(
    `Console interactive (navigation start → data-app-state="ready"), ${loads.length} fresh loads`,
  )
  line(
    `  in page (performance.now at ready): median ${fmt(interactive.medianMs, 0)} ms ` +
      `(runs: ${loads.map((l) => fmt(l.inPageMs, 0)).join(', ')})`,
  )
  line(
    `  wall clock from the test (goto → selector): median ${fmt(interactive.medianWallMs, 0)} ms ` +
      `(runs: ${loads.map((l) => fmt(l.wallMs, 0)).join(', ')})`,
  )
  line()
  line(`Issuing a token from the UI, ${cfg.issues} round trips after ${WARMUP_ISSUES} warm-up`)
  line(
    `  bridge call (fetch tokens.issue + JSON):  p50 ${fmt(bridge.p50Ms)} ms  p95 ${fmt(bridge.p95Ms)} ms  max ${fmt(bridge.maxMs)} ms`,
  )
  line(
    `  dialog (click Issue → result rendered):   p50 ${fmt(dialog.p50Ms)} ms  p95 ${fmt(dialog.p95Ms)} ms  max ${fmt(dialog.maxMs)} ms`,
  )
  line()
  line(
    `Machine: ${cpus().length} CPUs, 1-min load average ${fmt(loadBefore, 2)} before, ${fmt(loadavg()[0], 2)} after` +
      ' (other load skews (b) and (c))',
  )
  line()
  line('Targets')
  for (const c of checks) {
    line(`  ${pad(c.name, 30)}${pad(c.target, 26)}${pad(c.value, 14)}${c.pass ? 'PASS' : 'FAIL'}`)
  }
  line()
  process.stdout.write(`${out.join('\n')}\n`)

  const json = {
    benchUi: {
      config: {
        loads: cfg.loads,
        issues: cfg.issues,
        warmupIssues: WARMUP_ISSUES,
        node: process.version,
        cpus: cpus().length,
        loadAverageBefore: loadBefore,
        loadAverageAfter: loadavg()[0],
      },
      renderer: {
        files: size.files.length,
        bytes: size.bytes,
        gzipBytes: size.gzipBytes,
        gzipKB: size.gzipKB,
        largest: size.files.slice(0, 5),
      },
      interactive,
      issue: {
        bridge: { ...bridge, timesMs: bridgeTimes },
        dialog: { ...dialog, timesMs: dialogTimes },
      },
      targets: checks,
    },
  }
  process.stdout.write(`${JSON.stringify(json)}\n`)
}
