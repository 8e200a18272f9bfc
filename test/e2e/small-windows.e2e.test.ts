// @vitest-environment node
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { cliJson } from '../helpers/cli.js'
import { PAGES } from '../../renderer/src/shell/routes.js'
import { clearScreenshots, screenshot } from './browser.js'
import { E2E_VAULT_PASSPHRASE, useConsole } from './fixture.js'

/**
 * Every page at 1024×700, the smallest window a technician's laptop gives the console: the
 * sidebar folds behind the burger, no page is wider than the window, no badge is cut, the
 * ledger's Revoke and the create-client button are in view. One screenshot per page
 * (test-artifacts/screenshots/small-<page>.png), and one wide window with the content capped.
 */

const SMALL = { width: 1024, height: 700 }
const WIDE = { width: 1920, height: 1000 }

beforeAll(() => clearScreenshots(/^small-.*\.png$/))

async function open(page: Page, name: string): Promise<void> {
  await page.evaluate((hash) => (window.location.hash = hash), `#/${name}`)
  await page.getByTestId('page-content').waitFor()
  // Lazy pages first show a loader; wait until it is gone and the page's title is drawn.
  await page.locator('#main h2').first().waitFor()
  // (Not networkidle: the event stream stays open.) Until no loader of the page is left.
  await expect
    .poll(() => page.locator('#main [aria-label^="Loading"]').count(), { timeout: 15_000 })
    .toBe(0)
}

/** Elements (by selector) whose content is cut: wider than the box that shows it. */
function clipped(page: Page, selector: string): Promise<string[]> {
  return page.evaluate(
    (sel) =>
      Array.from(document.querySelectorAll<HTMLElement>(sel))
        .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
        .map((el) => el.textContent ?? ''),
    selector,
  )
}

describe('small windows', () => {
  const c = useConsole({ scope: 'all' })

  it('first run, a client and a token to show', async () => {
    const { page, dataDir } = c.current
    await page.getByTestId('first-run-form').waitFor()
    // By keyboard: the check here is the layout, not the pointer path through the wizard.
    await page.getByTestId('first-run-submit').focus()
    await page.keyboard.press('Enter')
    await page.getByTestId('nav-dashboard').waitFor({ state: 'attached' })
    const cli = { dataDir, env: { PLGD_M2M_VAULT_PASSPHRASE: E2E_VAULT_PASSPHRASE } }
    await cliJson(['clients', 'add', '--id', 'dps', '--owner', '1'], cli)
    await cliJson(['token', 'issue', '--client', 'dps', '--lifetime', '15m'], cli)
    await page.setViewportSize(SMALL)
  })

  it.each([...PAGES])('%s at 1024×700', async (name) => {
    const { page } = c.current
    await open(page, name)
    await screenshot(page, `small-${name}`)

    // The sidebar is folded: the page starts at the window's left edge, not after 220 px.
    const content = await page.getByTestId('page-content').boundingBox()
    expect(content?.x ?? Infinity).toBeLessThan(40)
    // Nothing makes the window scroll sideways.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    )
    expect(overflow).toBeLessThanOrEqual(0)
    // Status badges are read whole.
    expect(await clipped(page, '.mantine-Badge-label')).toEqual([])

    if (name === 'tokens') {
      const revoke = page.locator('[data-testid^="revoke-token-"]').first()
      const box = await revoke.boundingBox()
      expect(box).not.toBeNull()
      expect((box?.x ?? Infinity) + (box?.width ?? 0)).toBeLessThanOrEqual(SMALL.width)
    }
    if (name === 'clients') {
      const box = await page.getByTestId('create-client-button').boundingBox()
      expect((box?.y ?? Infinity) + (box?.height ?? 0)).toBeLessThanOrEqual(SMALL.height)
    }
  })

  it('the burger opens the sidebar in a small window', async () => {
    const { page } = c.current
    await page.getByRole('button', { name: 'Toggle navigation' }).focus()
    await page.keyboard.press('Enter')
    // The sidebar slides in.
    await expect
      .poll(async () => (await page.getByTestId('nav-keys').boundingBox())?.x ?? -1)
      .toBeGreaterThanOrEqual(0)
    await page.getByTestId('nav-keys').focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => page.evaluate(() => window.location.hash)).toBe('#/keys')
  })

  it('caps the content width on a wide screen', async () => {
    const { page } = c.current
    await page.setViewportSize(WIDE)
    await open(page, 'audit')
    await screenshot(page, 'small-wide-audit')
    const content = await page.getByTestId('page-content').boundingBox()
    expect(content?.width ?? Infinity).toBeLessThanOrEqual(1440)
  })
})
