import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { startServe, type ServeHandle } from '../helpers/cli.js'
import {
  consoleUrlOf,
  launchBrowser,
  newContext,
  openConsole,
  watchProblems,
  type PageProblems,
} from './browser.js'

/**
 * A console for one spec, the way usebruno's playwright fixture gives each test its own data
 * directory: a fresh temp data directory, `serve` on it, and a Chromium page on the printed
 * console URL, ready (`data-app-state="ready"`) for the first-run and other wizards.
 */

/** At least 8 characters, as the vault requires; only ever used for throw-away directories. */
export const E2E_VAULT_PASSPHRASE = 'e2e-vault-passphrase'

export interface ConsoleOptions {
  /**
   * Where the new data directory keeps its wrapping key. `passphrase` (the default) needs no
   * Secret Service; `keychain` uses the one test/with-keychain.sh provides.
   */
  vault?: 'passphrase' | 'keychain'
  /** More `serve` arguments. */
  serveArgs?: readonly string[]
  /** Clipboard access for the page (copy buttons). */
  clipboard?: boolean
}

export interface ConsoleHandle {
  dataDir: string
  serve: ServeHandle
  /** The URL serve printed, with its one-time `#session=` fragment. */
  consoleUrl: string
  origin: string
  browser: Browser
  context: BrowserContext
  page: Page
  /** Console errors, page errors, CSP violations and failed requests seen so far. */
  problems: PageProblems
  /** Closes the browser, stops serve (exit code 0 expected) and removes the data directory. */
  stop(): Promise<void>
}

/** Starts serve on a fresh data directory and opens its console; the caller must stop() it. */
export async function startConsole(options: ConsoleOptions = {}): Promise<ConsoleHandle> {
  const vault = options.vault ?? 'passphrase'
  const dataDir = mkdtempSync(join(tmpdir(), 'plgd-m2m-e2e-'))
  let serve: ServeHandle | undefined
  let browser: Browser | undefined
  const stop = async (): Promise<void> => {
    try {
      await browser?.close().catch(() => undefined)
      // Throws unless serve exits with 0; it kills a serve that does not exit in time.
      await serve?.stop()
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
  try {
    serve = await startServe(
      dataDir,
      [...(vault === 'passphrase' ? ['--vault', 'passphrase'] : []), ...(options.serveArgs ?? [])],
      vault === 'passphrase' ? { env: { PLGD_M2M_VAULT_PASSPHRASE: E2E_VAULT_PASSPHRASE } } : {},
    )
    const consoleUrl = consoleUrlOf(serve.ready)
    const origin = new URL(consoleUrl).origin
    browser = await launchBrowser()
    const context = await newContext(browser)
    const problems = await watchProblems(context, origin)
    if (options.clipboard) {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin })
    }
    const page = await context.newPage()
    await openConsole(page, consoleUrl)
    return { dataDir, serve, consoleUrl, origin, browser, context, page, problems, stop }
  } catch (err) {
    await stop().catch(() => undefined)
    throw err
  }
}

/**
 * Registers the hooks that give the enclosing describe a console: a fresh one per test
 * (`each`, the default), or one for all its tests (`all`, for a journey of dependent steps).
 * Read `.current` inside the tests.
 */
export function useConsole(options: ConsoleOptions & { scope?: 'each' | 'all' } = {}): {
  readonly current: ConsoleHandle
} {
  let handle: ConsoleHandle | undefined
  const start = async () => {
    handle = await startConsole(options)
  }
  const stop = async () => {
    const h = handle
    handle = undefined
    await h?.stop()
  }
  if (options.scope === 'all') {
    beforeAll(start)
    afterAll(stop)
  } else {
    beforeEach(start)
    afterEach(stop)
  }
  return {
    get current(): ConsoleHandle {
      if (!handle) throw new Error('no console: useConsole() starts one in its before hook')
      return handle
    },
  }
}
