// `node bench/ui.mjs`: the console's UI targets. (a) renderer JavaScript, gzipped; (b) time to
// interactive of the console served headless (navigation start → data-app-state="ready") in
// headless Chromium, median of fresh page loads; (c) issuing a token from the UI, p95 of round
// trips, both as the bridge call the UI makes and as a click on "Issue token" until the result
// shows. Prints one JSON line {"benchUi": {...}} first, then the report, ending with the targets
// table (bench/targets.mjs). Exits 0 whatever the targets say; 1 on a crash or the time limit.
//
// Needs `npm run build` (dist/renderer, dist/cli) and /usr/bin/chromium (or BENCH_UI_CHROMIUM).
// Environment: BENCH_UI_LOADS (page loads, default 5), BENCH_UI_ISSUES (round trips, 30),
// BENCH_UI_TIME_LIMIT (s, 60).
// Functions passed to page.evaluate and addInitScript run in the page:
/* global document, window, MutationObserver */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import {
  CLI,
  ROOT,
  envNumber,
  fmt,
  median,
  note,
  percentile,
  runBench,
  spreadOf,
  spawnTracked,
  stopChild,
  waitForReady,
} from './lib.mjs'
import { TARGETS, formatTargetTable, spreadRow, targetRow } from './targets.mjs'

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

const cfg = config()
await runBench(import.meta.url, { name: 'bench-ui', timeLimitS: cfg.timeLimitS }, main)

function config() {
  return {
    loads: Math.round(envNumber('BENCH_UI_LOADS', 5, 1)),
    issues: Math.round(envNumber('BENCH_UI_ISSUES', 30, 1)),
    timeLimitS: envNumber('BENCH_UI_TIME_LIMIT', 60, 5),
  }
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

async function main(tmpRoot) {
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
  let measured
  try {
    measured = await measureInBrowser(browser, serve.consoleUrl)
  } finally {
    await browser.close().catch(() => undefined)
  }
  await stopChild(serve.child)
  process.stdout.write(report({ size, loadBefore, ...measured }))
}

/** (b) and (c) in one browser, set up as an operator would leave it. */
async function measureInBrowser(browser, consoleUrl) {
  // First run done, one client to issue for.
  const setupContext = await browser.newContext()
  const setupPage = await setupContext.newPage()
  await setupPage.goto(consoleUrl)
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
  for (let i = 0; i < cfg.loads; i++) loads.push(await measureLoad(browser, consoleUrl))
  note(`interactive: ${loads.map((l) => fmt(l.inPageMs, 0)).join(', ')} ms`)

  // (c) One console tab, as the operator keeps it open.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  await page.goto(consoleUrl)
  await page.waitForSelector('html[data-app-state="ready"]', { state: 'attached' })
  const bridgeTimes = await issueViaBridge(page, cfg.issues)
  note(`bridge tokens.issue p95 ${fmt(percentile(bridgeTimes, 95))} ms`)
  await page.click('[data-testid="nav-tokens"]')
  await page.click('[data-testid="issue-token-button"]')
  await page.waitForSelector('[data-testid="issue-token-form"]')
  const dialogTimes = await issueViaDialog(page, cfg.issues)
  note(`dialog issue p95 ${fmt(percentile(dialogTimes, 95))} ms`)
  await context.close()
  return { loads, bridgeTimes, dialogTimes }
}

function report({ size, loadBefore, loads, bridgeTimes, dialogTimes }) {
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
  const issueShown = (st) =>
    `p95 ${fmt(st.p95Ms)} ms (p50 ${fmt(st.p50Ms)}, max ${fmt(st.maxMs)}, n ${st.runs})`
  const rows = [
    targetRow('renderer JS (gzip)', TARGETS.rendererGzipKB, size.gzipKB, `${fmt(size.gzipKB)} KB`),
    spreadRow(
      'console interactive (median)',
      TARGETS.consoleInteractiveMs,
      spreadOf(loads.map((l) => l.inPageMs)),
      0,
      ' ms',
    ),
    // The click's server part alone: when the click fails and this passes, the renderer is slow.
    targetRow(
      'issue token, bridge call (p95)',
      TARGETS.issueClickP95Ms,
      bridge.p95Ms,
      issueShown(bridge),
    ),
    targetRow(
      'click "Issue" → result rendered (p95)',
      TARGETS.issueClickP95Ms,
      dialog.p95Ms,
      issueShown(dialog),
    ),
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
  line('Targets (the console)')
  for (const l of formatTargetTable(rows, 'measured')) line(l)

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
      targets: rows,
    },
  }
  return `${JSON.stringify(json)}\n${out.join('\n')}\n`
}
