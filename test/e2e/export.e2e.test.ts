// @vitest-environment node
import { readFileSync } from 'node:fs'
import type { Download, Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { screenshot, type PageProblems } from './browser.js'
import { useConsole } from './fixture.js'

/**
 * Exports from the console in Chromium: a client created here is exported with its one-time
 * secret as DPS YAML (the preview masks the secret, the saved file holds it), then exported
 * again from its detail page as JSON, redacted. The QR code is drawn under the real CSP.
 */

const CLIENT_ID = 'dps-export-1'
const OWNER = '1'

const exportConsole = useConsole({ vault: 'keychain', scope: 'all' })
let page: Page
let problems: PageProblems
let secret = ''

const byId = (testId: string) => page.getByTestId(testId)
const dialog = () => byId('export-dialog')

/** Chooses a format and waits until its document is the one shown. */
async function chooseFormat(label: string, format: string): Promise<void> {
  await dialog().getByRole('radio', { name: label, exact: true }).check()
  await expect
    .poll(() => dialog().getByTestId('export-document').getAttribute('data-format'))
    .toBe(format)
}

/** Clicks Save and reads the file the browser saved. */
async function save(): Promise<{ name: string; content: string }> {
  const [download] = (await Promise.all([
    page.waitForEvent('download'),
    dialog().getByTestId('export-save').click(),
  ])) as [Download, unknown]
  const path = await download.path()
  return { name: download.suggestedFilename(), content: readFileSync(path, 'utf8') }
}

beforeAll(() => {
  ;({ page, problems } = exportConsole.current)
})

describe('export from the console', () => {
  it('first run, then a client with a secret', async () => {
    await byId('first-run-form').waitFor()
    await byId('first-run-submit').click()
    await byId('nav-clients').click()
    await byId('create-client-button').click()
    await byId('client-id-input').fill(CLIENT_ID)
    await byId('client-owner-input').fill(OWNER)
    // Identity, then token policy, then the secret step.
    await byId('create-client-next').click()
    await byId('client-audiences-input').waitFor()
    await byId('create-client-next').click()
    await byId('client-secret-note').waitFor()
    await byId('create-client-submit').click()
    await byId('secret-dialog').waitFor()
    secret = (await byId('secret-display').innerText()).trim()
    expect(secret).toMatch(/^\S{32,}$/)
  })

  it('the secret dialog exports DPS YAML: the preview hides the secret, the file holds it', async () => {
    await byId('secret-export').click()
    await dialog().waitFor()
    await chooseFormat('DPS (YAML)', 'dps-yaml')
    const preview = await dialog().getByTestId('export-preview').innerText()
    expect(preview).toContain('••••')
    expect(await dialog().innerText()).not.toContain(secret)
    expect(await dialog().getByTestId('export-redacted').getAttribute('data-redacted')).toBe(
      'false',
    )
    await screenshot(page, 'export-secret-dps-yaml')

    const file = await save()
    expect(file.name).not.toContain('/')
    expect(file.content).toContain(secret)
    expect(() => parseYaml(file.content) as unknown).not.toThrow()
    // The masked preview is the file with the secret replaced, nothing else changed.
    expect(file.content.split(secret).join('••••').trim()).toBe(preview.trim())

    // The QR code is SVG rects drawn by React: allowed by the console's strict CSP.
    await dialog().getByTestId('export-tab-qr').click()
    // A DPS provider block is far below a QR code's 2,953 bytes.
    await dialog().getByTestId('qr-code').waitFor()
    expect(await dialog().locator('[data-testid="qr-code"] rect').count()).toBeGreaterThan(20)
    await screenshot(page, 'export-secret-qr')

    await page.keyboard.press('Escape')
    await dialog().waitFor({ state: 'detached' })
    await byId('secret-saved-checkbox').check()
    await byId('secret-done').click()
    await byId('secret-dialog').waitFor({ state: 'detached' })
  })

  it('the client detail exports JSON redacted', async () => {
    await byId(`client-open-${CLIENT_ID}`).click()
    await byId('export-client-button').click()
    await dialog().waitFor()
    await expect
      .poll(() => dialog().getByTestId('export-document').getAttribute('data-format'))
      .toBe('json')
    expect(await dialog().getByTestId('export-redacted').getAttribute('data-redacted')).toBe('true')
    expect(await dialog().getByTestId('export-redacted-note').innerText()).toContain(
      'only when the secret is created or rotated',
    )
    const file = await save()
    expect(file.content).not.toContain(secret)
    const json = JSON.parse(file.content) as unknown
    expect(JSON.stringify(json)).toContain(CLIENT_ID)
    expect(await page.content()).not.toContain(secret)
    await screenshot(page, 'export-redacted-json')
  })

  it('nothing went wrong in the page', () => {
    expect(problems.pageErrors).toEqual([])
    expect(problems.cspViolations).toEqual([])
    expect(problems.consoleErrors).toEqual([])
    expect(problems.failedRequests).toEqual([])
  })
})
