// @vitest-environment node
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  REPO_ROOT,
  cliJson,
  killAllServes,
  makeTempDir,
  removeTempDirs,
  startServe,
  type ServeHandle,
} from '../helpers/cli.js'
import {
  clearScreenshots,
  consoleUrlOf,
  launchBrowser,
  newContext,
  openConsole,
  screenshot,
} from './browser.js'

/**
 * The headless console bridge attacked from a real browser: a page on another origin (another
 * port on 127.0.0.1, so same-site but cross-origin) that knows where the bridge listens and even
 * holds a leaked session token, a page that frames or script-includes the console, the console
 * under another host name, and the console opened without (or with a wrong) session fragment.
 * test/integration/console-bridge.test.ts covers the same rules with hand-made requests; this
 * file checks that a browser's own CORS, Sec-Fetch-* and framing behaviour meets them as expected.
 */

const VICTIM_CLIENT = 'victim-client'
const ATTACKER_CLIENT = 'attacker-client'

let dataDir: string
let serve: ServeHandle
let consoleUrl: string
let bridgeOrigin: string
let bridgePort: number
let sessionToken: string
let attacker: Server
let attackerOrigin: string
let browser: Browser

/** One request of a page to the bridge, as the browser's network stack saw it. */
interface Wire {
  method: string
  path: string
  /** The status line the bridge answered; null if it never answered. */
  status: number | null
  /** Why the browser did not hand the answer to the page, if it did not. */
  blocked: string | null
}

/**
 * Records a page's requests to the bridge through the DevTools protocol: unlike Playwright's
 * request events it shows CORS preflights, and the status the bridge answered even when the
 * browser then blocks the response (CORS, CORP). Returns a reader of the requests in order.
 */
async function watchBridge(page: Page): Promise<() => Wire[]> {
  const cdp = await page.context().newCDPSession(page)
  const order: string[] = []
  const requests = new Map<string, { method: string; path: string }>()
  const statuses = new Map<string, number>()
  const failures = new Map<string, string>()
  cdp.on('Network.requestWillBeSent', (e) => {
    if (!e.request.url.startsWith(`${bridgeOrigin}/`)) return
    if (!requests.has(e.requestId)) order.push(e.requestId)
    requests.set(e.requestId, { method: e.request.method, path: new URL(e.request.url).pathname })
  })
  cdp.on('Network.responseReceivedExtraInfo', (e) => statuses.set(e.requestId, e.statusCode))
  cdp.on('Network.responseReceived', (e) => {
    if (!statuses.has(e.requestId)) statuses.set(e.requestId, e.response.status)
  })
  cdp.on('Network.loadingFailed', (e) => {
    const cors = e.corsErrorStatus?.corsError
    failures.set(e.requestId, cors ?? e.blockedReason ?? e.errorText)
  })
  await cdp.send('Network.enable')
  return () =>
    order.map((id) => ({
      ...requests.get(id)!,
      status: statuses.get(id) ?? null,
      blocked: failures.get(id) ?? null,
    }))
}

async function clientIds(): Promise<string[]> {
  const list = await cliJson<{ id: string }[]>(['clients', 'list'], { dataDir })
  return list.map((c) => c.id).sort()
}

let shotCount = 0
async function shot(page: Page, name: string): Promise<void> {
  shotCount++
  await screenshot(page, `attack-${String(shotCount).padStart(2, '0')}-${name}`)
}

beforeAll(async () => {
  clearScreenshots(/^attack-.*\.png$/)
  dataDir = makeTempDir('plgd-m2m-e2e-attack-')
  serve = await startServe(dataDir)
  consoleUrl = consoleUrlOf(serve.ready)
  const url = new URL(consoleUrl)
  bridgeOrigin = url.origin
  bridgePort = Number(url.port)
  sessionToken = url.hash.slice('#session='.length)
  expect(sessionToken).toMatch(/^[A-Za-z0-9_-]{43}$/)
  // Through the control socket of the running serve: a client whose id must never leak.
  await cliJson(['clients', 'add', '--id', VICTIM_CLIENT, '--owner', '1'], { dataDir })

  attacker = createServer((req, res) => {
    const body =
      '<!doctype html><html><head><title>cute cats</title></head><body><h1>Cute cats</h1></body></html>'
    res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' })
    res.end(req.url === '/' ? body : 'not found')
  })
  await new Promise<void>((resolve, reject) => {
    attacker.once('error', reject)
    attacker.listen(0, '127.0.0.1', resolve)
  })
  attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`
  expect(attackerOrigin).not.toBe(bridgeOrigin)
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close().catch(() => undefined)
  await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()))
  if (serve) await serve.stop()
  await killAllServes()
  removeTempDirs()
})

describe('the console bridge against a hostile page in the browser', () => {
  it('a page on another origin cannot call the API, with or without the session token', async () => {
    const context = await newContext(browser)
    try {
      const page = await context.newPage()
      const wire = await watchBridge(page)
      await page.goto(`${attackerOrigin}/`)
      await expect(page.title()).resolves.toBe('cute cats')

      const outcomes = await page.evaluate(
        async ({ bridge, token, victim, newClient }) => {
          const rpc = `${bridge}/api/rpc/`
          const json = JSON.stringify({})
          const attempts: [string, () => Promise<Response>][] = [
            [
              'cors POST clients.list, JSON, leaked token',
              () =>
                fetch(`${rpc}clients.list`, {
                  method: 'POST',
                  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
                  body: json,
                }),
            ],
            [
              'cors POST clients.list, JSON, no token',
              () =>
                fetch(`${rpc}clients.list`, {
                  method: 'POST',
                  headers: { 'content-type': 'application/json' },
                  body: json,
                }),
            ],
            [
              'cors POST clients.list, simple request (text/plain)',
              () =>
                fetch(`${rpc}clients.list`, {
                  method: 'POST',
                  headers: { 'content-type': 'text/plain' },
                  body: json,
                }),
            ],
            [
              'cors POST clients.list with credentials',
              () =>
                fetch(`${rpc}clients.list`, {
                  method: 'POST',
                  credentials: 'include',
                  headers: { 'content-type': 'text/plain' },
                  body: json,
                }),
            ],
            [
              'no-cors POST clients.list (text/plain)',
              () =>
                fetch(`${rpc}clients.list`, {
                  method: 'POST',
                  mode: 'no-cors',
                  headers: { 'content-type': 'text/plain' },
                  body: json,
                }),
            ],
            [
              'no-cors POST clients.add (CSRF write)',
              () =>
                fetch(`${rpc}clients.add`, {
                  method: 'POST',
                  mode: 'no-cors',
                  headers: { 'content-type': 'text/plain' },
                  body: JSON.stringify({
                    id: newClient,
                    owner: 'evil',
                    auth: { method: 'client_secret' },
                  }),
                }),
            ],
            [
              'no-cors POST clients.remove (CSRF delete)',
              () =>
                fetch(`${rpc}clients.remove`, {
                  method: 'POST',
                  mode: 'no-cors',
                  headers: { 'content-type': 'text/plain' },
                  body: JSON.stringify({ id: victim }),
                }),
            ],
            [
              'cors GET /api/events, leaked token',
              () =>
                fetch(`${bridge}/api/events`, { headers: { authorization: `Bearer ${token}` } }),
            ],
            ['cors GET / (the console page)', () => fetch(`${bridge}/`)],
          ]
          const results: { name: string; outcome: string; body: string }[] = []
          for (const [name, attempt] of attempts) {
            try {
              const res = await attempt()
              let body = ''
              try {
                body = await res.text()
              } catch {
                body = '(unreadable)'
              }
              results.push({ name, outcome: `${res.type}:${res.status}`, body })
            } catch (err) {
              results.push({ name, outcome: `error:${(err as Error).name}`, body: '' })
            }
          }
          return results
        },
        {
          bridge: bridgeOrigin,
          token: sessionToken,
          victim: VICTIM_CLIENT,
          newClient: ATTACKER_CLIENT,
        },
      )

      // The page learnt nothing: every attempt failed with a network error (CORS for reads,
      // Cross-Origin-Resource-Policy for no-cors), so no status, no body, no client list.
      expect(outcomes).toHaveLength(9)
      for (const { name, outcome, body } of outcomes) {
        expect(outcome, name).toBe('error:TypeError')
        expect(body, name).toBe('')
      }
      expect(JSON.stringify(outcomes)).not.toContain(VICTIM_CLIENT)

      // On the wire: requests with the token or a JSON body stopped at their preflight (the
      // token never left the browser); the simple ones reached the bridge, which refused them
      // before reading a byte of the body. Nothing was ever answered 2xx.
      await expect.poll(() => wire().filter((w) => w.status !== null).length).toBe(9)
      const answered = wire().filter((w) => w.status !== null)
      expect(answered.map((w) => `${w.method} ${w.path} ${w.status}`)).toEqual([
        'OPTIONS /api/rpc/clients.list 403',
        'OPTIONS /api/rpc/clients.list 403',
        'POST /api/rpc/clients.list 403',
        'POST /api/rpc/clients.list 403',
        'POST /api/rpc/clients.list 403',
        'POST /api/rpc/clients.add 403',
        'POST /api/rpc/clients.remove 403',
        'OPTIONS /api/events 403',
        'GET / 403',
      ])
      // The actual requests behind the three preflights were never sent.
      expect(wire().filter((w) => w.status === null)).toEqual([
        expect.objectContaining({ method: 'POST', path: '/api/rpc/clients.list' }),
        expect.objectContaining({ method: 'POST', path: '/api/rpc/clients.list' }),
        expect.objectContaining({ method: 'GET', path: '/api/events' }),
      ])
      // The no-cors answers were withheld from the page by CORP.
      expect(
        wire()
          .filter((w) => w.method === 'POST' && w.status === 403)
          .map((w) => w.blocked),
      ).toEqual([
        'MissingAllowOriginHeader',
        'MissingAllowOriginHeader',
        'corp-not-same-origin',
        'corp-not-same-origin',
        'corp-not-same-origin',
      ])

      // And nothing happened behind the opaque answers.
      await expect(clientIds()).resolves.toEqual([VICTIM_CLIENT])
      await shot(page, 'cross-origin-page')
    } finally {
      await context.close()
    }
  })

  it('the same token works from the console itself (the refusals above are about the origin)', async () => {
    const context = await newContext(browser)
    try {
      const page = await context.newPage()
      await openConsole(page, consoleUrl)
      const res = await page.evaluate(async (token) => {
        const r = await fetch('/api/rpc/clients.list', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: '{}',
        })
        return { status: r.status, body: await r.text() }
      }, sessionToken)
      expect(res.status).toBe(200)
      expect(res.body).toContain(VICTIM_CLIENT)
    } finally {
      await context.close()
    }
  })

  it('another page can neither frame the console nor load its scripts', async () => {
    const html = readFileSync(join(REPO_ROOT, 'dist/renderer/index.html'), 'utf8')
    const script = /src="\.\/(assets\/index-[^"]+\.js)"/.exec(html)?.[1]
    expect(script, 'the built index.html names its entry script').toBeDefined()
    const context = await newContext(browser)
    try {
      const page = await context.newPage()
      const wire = await watchBridge(page)
      await page.goto(`${attackerOrigin}/`)
      const outcome = await page.evaluate(
        async ({ url, scriptUrl }) => {
          const frame = document.createElement('iframe')
          frame.src = url
          frame.width = '800'
          frame.height = '400'
          const framed = new Promise<string>((resolve) => {
            frame.onload = () => resolve('load')
            setTimeout(() => resolve('timeout'), 5000)
          })
          document.body.append(frame)
          const tag = document.createElement('script')
          tag.type = 'module'
          tag.src = scriptUrl
          const loaded = new Promise<string>((resolve) => {
            tag.onload = () => resolve('load')
            tag.onerror = () => resolve('error')
            setTimeout(() => resolve('timeout'), 5000)
          })
          document.head.append(tag)
          return {
            frame: await framed,
            script: await loaded,
            appState: document.documentElement.getAttribute('data-app-state'),
          }
        },
        { url: consoleUrl, scriptUrl: `${bridgeOrigin}/${script}` },
      )
      expect(outcome.script).toBe('error')
      expect(outcome.appState).toBeNull()
      // The framed console never ran: the frame holds the browser's error page, and no frame
      // of the page reached the console's readiness.
      expect(page.frames().filter((f) => f.url().startsWith(bridgeOrigin))).toEqual([])
      for (const frame of page.frames()) {
        const state = await frame
          .evaluate(() => document.documentElement.getAttribute('data-app-state'))
          .catch(() => null)
        expect(state, frame.url()).toBeNull()
      }
      // Both reached the bridge and were refused (Sec-Fetch-Site: same-site is not the console).
      await expect.poll(() => wire().filter((w) => w.status !== null).length).toBe(2)
      expect(wire().map((w) => `${w.method} ${w.path} ${w.status}`)).toEqual([
        'GET / 403',
        `GET /${script} 403`,
      ])
      await shot(page, 'framed-console')
    } finally {
      await context.close()
    }
  })

  it('the console URL under another host name (localhost) is refused', async () => {
    const context = await newContext(browser)
    try {
      const page = await context.newPage()
      const res = await page.goto(`http://localhost:${bridgePort}/#session=${sessionToken}`)
      expect(res?.status()).toBe(403)
      await expect(page.locator('body').textContent()).resolves.toContain('forbidden host')
      await expect(page.locator('html').getAttribute('data-app-state')).resolves.toBeNull()
    } finally {
      await context.close()
    }
  })

  it('without the #session fragment the console asks for the URL printed by serve', async () => {
    const context = await newContext(browser)
    try {
      const page = await context.newPage()
      const wire = await watchBridge(page)
      await page.goto(`${bridgeOrigin}/`)
      await page.locator('html[data-app-state="error"]').waitFor({ state: 'attached' })
      await expect(page.locator('html').getAttribute('data-app-error')).resolves.toBe('no-session')
      const screen = page.getByTestId('no-session')
      await screen.waitFor()
      const text = ((await screen.textContent()) ?? '').replace(/\s+/g, ' ')
      expect(text).toContain('No console session')
      expect(text).toContain('Open the console with the URL printed by plgd-m2m-console serve.')
      // It did not even try the API.
      expect(wire().filter((w) => w.path.startsWith('/api/'))).toEqual([])
      expect(wire().map((w) => `${w.method} ${w.path} ${w.status}`)[0]).toBe('GET / 200')
      await shot(page, 'no-session')
    } finally {
      await context.close()
    }
  })

  it('the session is kept per tab: a second tab without the fragment has none', async () => {
    const context = await newContext(browser)
    try {
      const first = await context.newPage()
      await openConsole(first, consoleUrl)
      const second = await context.newPage()
      await second.goto(`${bridgeOrigin}/`)
      await second.locator('html[data-app-state="error"]').waitFor({ state: 'attached' })
      await second.getByTestId('no-session').waitFor()
      await expect(
        second.evaluate(() => sessionStorage.getItem('plgd-console-session')),
      ).resolves.toBeNull()
    } finally {
      await context.close()
    }
  })

  it('a wrong session token gets 401s and a "cannot reach the console" screen', async () => {
    const context = await newContext(browser)
    try {
      const page = await context.newPage()
      const wire = await watchBridge(page)
      await page.goto(`${bridgeOrigin}/#session=not-the-token`)
      await expect.poll(() => page.url()).toBe(`${bridgeOrigin}/`)
      await page.locator('html[data-app-state="error"]').waitFor({
        state: 'attached',
        timeout: 15_000,
      })
      await page.getByTestId('status-failed').waitFor()
      await expect(page.getByTestId('notification-error').first().textContent()).resolves.toContain(
        'the console session is not valid',
      )
      const api = wire().filter((w) => w.path.startsWith('/api/'))
      expect(api.map((w) => w.path)).toContain('/api/rpc/status.get')
      for (const w of api) expect(w.status, w.path).toBe(401)
      await shot(page, 'wrong-session')
    } finally {
      await context.close()
    }
  })
})
