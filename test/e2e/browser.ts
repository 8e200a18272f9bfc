import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core'
import { REPO_ROOT } from '../helpers/cli.js'

/**
 * Browser helpers for the end-to-end tests: Debian's Chromium driven by playwright-core (no
 * downloaded browser), a fresh profile per launch, a record of everything that went wrong in a
 * page (console errors, uncaught exceptions, CSP violations, failed console requests) and
 * screenshots under test-artifacts/screenshots.
 */

export const CHROMIUM_PATH = process.env.PLGD_E2E_CHROMIUM ?? '/usr/bin/chromium'

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // The tests run inside test/with-keychain.sh: the browser's own passwords stay out of it.
  '--password-store=basic',
]

export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-artifacts', 'screenshots')

/** A headless Chromium with a temporary profile (chromium.launch makes and removes one). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  })
}

/** A new context (own cookies, storage and permissions): a fresh browser profile's first tab. */
export function newContext(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 1280, height: 900 },
    colorScheme: 'light',
    reducedMotion: 'reduce',
    ...options,
  })
}

/** The console URL from serve's ready line (the helper's ReadyLine type predates it). */
export function consoleUrlOf(ready: object): string {
  const url = (ready as { consoleUrl?: unknown }).consoleUrl
  if (typeof url !== 'string') {
    throw new Error(`serve printed no consoleUrl: ${JSON.stringify(ready)}`)
  }
  return url
}

/** Everything that went wrong in the pages of a context, as readable lines. */
export interface PageProblems {
  consoleErrors: string[]
  pageErrors: string[]
  cspViolations: string[]
  /** Requests to `origin` that failed or answered ≥ 400 (the console never should). */
  failedRequests: string[]
}

declare global {
  interface Window {
    __e2eReportCsp?: (line: string) => void
  }
}

/**
 * Records console errors, uncaught exceptions and CSP violations of every page of the context
 * (present and future), and failed requests to `origin`. CSP violations are reported through a
 * CDP binding, which the page's own CSP cannot block.
 */
export async function watchProblems(
  context: BrowserContext,
  origin: string,
): Promise<PageProblems> {
  const problems: PageProblems = {
    consoleErrors: [],
    pageErrors: [],
    cspViolations: [],
    failedRequests: [],
  }
  await context.exposeBinding('__e2eReportCsp', (_source, line: string) => {
    problems.cspViolations.push(line)
  })
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__e2eReportCsp?.(
        `${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`,
      )
    })
  })
  const watch = (page: Page): void => {
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return
      const line = `${msg.text()} (${msg.location().url}:${msg.location().lineNumber})`
      problems.consoleErrors.push(line)
      if (/Content Security Policy/i.test(msg.text())) problems.cspViolations.push(line)
    })
    page.on('pageerror', (err) => problems.pageErrors.push(err.stack ?? err.message))
    page.on('response', (res) => {
      if (res.url().startsWith(origin) && res.status() >= 400) {
        problems.failedRequests.push(`${res.request().method()} ${res.url()} → ${res.status()}`)
      }
    })
    page.on('requestfailed', (req) => {
      const failure = req.failure()?.errorText ?? 'failed'
      // The event stream is aborted whenever a page unloads: that is not a failure.
      if (!req.url().startsWith(origin) || /ERR_ABORTED/.test(failure)) return
      problems.failedRequests.push(`${req.method()} ${req.url()} → ${failure}`)
    })
  }
  context.pages().forEach(watch)
  context.on('page', watch)
  return problems
}

/** Opens the console URL and waits for the renderer's readiness marker. */
export async function openConsole(page: Page, url: string, timeoutMs = 20_000): Promise<void> {
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs })
  await page
    .locator('html[data-app-state="ready"]')
    .waitFor({ state: 'attached', timeout: timeoutMs })
}

/** The data-testid of the focused element (keyboard steps check where focus is). */
export function focusedTestId(page: Page): Promise<string | null> {
  return page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null)
}

/** Presses Tab until the element with this data-testid has focus (bounded). */
export async function tabTo(page: Page, testId: string, maxPresses = 40): Promise<number> {
  for (let presses = 0; presses <= maxPresses; presses++) {
    if ((await focusedTestId(page)) === testId) return presses
    await page.keyboard.press('Tab')
  }
  throw new Error(`${testId} got no focus within ${maxPresses} Tab presses`)
}

/** Writes test-artifacts/screenshots/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const path = join(SCREENSHOT_DIR, `${name}.png`)
  await page.screenshot({ path, fullPage: true, animations: 'disabled' })
  return path
}

/** Removes earlier runs' screenshots whose names match (each test file owns a name pattern). */
export function clearScreenshots(names: RegExp): void {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  for (const file of readdirSync(SCREENSHOT_DIR)) {
    if (names.test(file)) rmSync(join(SCREENSHOT_DIR, file), { force: true })
  }
}
