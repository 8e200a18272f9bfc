// @vitest-environment node
import { readFileSync } from 'node:fs'
import type { Download, Locator, Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { screenshot, type PageProblems } from './browser.js'
import { useConsole } from './fixture.js'

/**
 * Exports from the console in Chromium: a client created here is exported with its one-time
 * secret as DPS YAML (the preview masks the secret, the saved file holds it), then exported
 * again from its detail page as JSON, redacted. The QR code is drawn under the real CSP. Then
 * the dashboard's exports (trust material, static bundle), a backup from the settings, and
 * last the move to plgd (it rotates the client's secret).
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

/** Clicks what downloads and reads the file the browser saved. */
async function download(button: Locator): Promise<{ name: string; bytes: Buffer }> {
  const [saved] = (await Promise.all([page.waitForEvent('download'), button.click()])) as [
    Download,
    unknown,
  ]
  return { name: saved.suggestedFilename(), bytes: readFileSync(await saved.path()) }
}

/** Saves the export dialog's document. */
async function save(): Promise<{ name: string; content: string }> {
  const { name, bytes } = await download(dialog().getByTestId('export-save'))
  return { name, content: bytes.toString('utf8') }
}

/** Opens one of the dashboard's Export menu items. */
async function exportMenu(item: string): Promise<void> {
  await byId('nav-dashboard').click()
  await byId('issuer-export-menu').click()
  await byId(item).click()
}

/** The paths of an export's file table. */
function filePaths(table: Locator): Promise<string[]> {
  return table
    .getByTestId('export-file')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-path') ?? ''))
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

    // By keyboard: an arrow moves to the next format, Enter saves it.
    await dialog().getByRole('radio', { name: 'JSON', exact: true }).focus()
    await page.keyboard.press('ArrowDown')
    await expect
      .poll(() => dialog().getByTestId('export-document').getAttribute('data-format'))
      .toBe('env')
    const [env] = (await Promise.all([
      page.waitForEvent('download'),
      page.keyboard.press('Enter'),
    ])) as [Download, unknown]
    const envText = readFileSync(await env.path(), 'utf8')
    expect(envText).toContain(CLIENT_ID)
    expect(envText).not.toContain(secret)
  })

  it("the dashboard exports the issuer's trust material, without client formats", async () => {
    await page.keyboard.press('Escape')
    await dialog().waitFor({ state: 'detached' })
    await exportMenu('export-issuer-item')
    await dialog().waitFor()
    await expect
      .poll(() => dialog().getByTestId('export-document').getAttribute('data-format'))
      .toBe('json')
    expect(await dialog().getByRole('radio', { name: 'DPS (YAML)', exact: true }).count()).toBe(0)
    await chooseFormat('Hub authorization (YAML)', 'hub-authorization-yaml')
    const file = await save()
    expect(file.content).toContain(exportConsole.current.serve.ready.issuer)
    expect(parseYaml(file.content)).toBeTruthy()
    await page.keyboard.press('Escape')
    await dialog().waitFor({ state: 'detached' })
  })

  it('the static bundle says revocation is off and offers discovery and the JWKS', async () => {
    await exportMenu('export-bundle-item')
    const bundle = byId('bundle-dialog')
    await expect(bundle.getByTestId('bundle-revocation-off').innerText()).resolves.toContain(
      'Revocation is off',
    )
    await bundle.getByTestId('bundle-make').click()
    const files = bundle.getByTestId('bundle-files')
    await files.waitFor()
    const jwksPath = (await filePaths(files)).find((p) => p.endsWith('jwks.json'))
    expect(jwksPath).toBeDefined()
    const jwks = await download(files.getByRole('button', { name: `Download ${jwksPath}` }))
    const keys = (JSON.parse(jwks.bytes.toString('utf8')) as { keys: unknown[] }).keys
    expect(keys.length).toBeGreaterThan(0)
    await screenshot(page, 'export-bundle')
    await page.keyboard.press('Escape')
    await bundle.waitFor({ state: 'detached' })
  })

  it('settings: a backup under a passphrase is saved encrypted, with its counts', async () => {
    await byId('nav-settings').click()
    const passphrase = 'correct horse battery staple'
    await byId('backup-passphrase').fill(passphrase)
    await byId('backup-confirm').fill(passphrase)
    const file = await download(byId('backup-create'))
    expect(file.name).toMatch(/^plgd-m2m-console-.*\.backup$/)
    expect(file.bytes.length).toBeGreaterThan(100)
    expect(file.bytes.toString('latin1')).not.toContain(CLIENT_ID)
    await expect(byId('backup-count-clients').innerText()).resolves.toBe('1')
    await expect(byId('backup-passphrase').inputValue()).resolves.toBe('')
  })

  it('move to plgd: confirmed first, then the client is rotated and the files are offered', async () => {
    await exportMenu('export-plgd-item')
    const graduation = byId('graduation-dialog')
    await graduation.getByTestId('graduation-confirm').waitFor()
    await graduation.getByTestId('graduation-submit').click()
    const report = graduation.getByTestId('graduation-report')
    await report.waitFor()
    // textContent: badges are upper-cased by CSS.
    await expect(report.getByTestId(`graduated-${CLIENT_ID}`).textContent()).resolves.toContain(
      'rotated',
    )
    const files = report.getByTestId('graduation-files')
    const configPath = (await filePaths(files)).find((p) => p.endsWith('config.yaml'))
    expect(configPath).toBeDefined()
    const config = await download(files.getByRole('button', { name: `Download ${configPath}` }))
    const parsed = parseYaml(config.bytes.toString('utf8')) as { oauthSigner?: unknown }
    expect(parsed.oauthSigner).toBeTruthy()
    expect(await files.getByTestId('export-file-secret').count()).toBeGreaterThan(0)
    await screenshot(page, 'export-graduation')
  })

  it('import from plgd: main lists the files config.yaml names, the import adds the client', async () => {
    const config = [
      'oauthSigner:',
      '  domain: m2m.example.com',
      '  ownerClaim: https://plgd.dev/owner',
      '  clients:',
      '    - id: imported-1',
      '      owner: "7"',
      '      secretFile: /secrets/clients/imported-1',
      '      accessTokenLifetime: 1h',
      '      allowedGrantTypes: [client_credentials]',
      '',
    ].join('\n')
    // The graduation report is still open: Escape closes it, as a user would.
    await page.keyboard.press('Escape')
    await byId('graduation-dialog').waitFor({ state: 'hidden' })
    await exportMenu('import-plgd-item')
    const importDialog = byId('import-plgd-dialog')
    await importDialog.locator('input[accept=".yaml,.yml"]').setInputFiles({
      name: 'config.yaml',
      mimeType: 'application/yaml',
      buffer: Buffer.from(config),
    })
    const reference = importDialog.getByTestId('import-plgd-reference')
    await expect
      .poll(() => reference.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-ref'))))
      .toEqual(['/secrets/clients/imported-1'])
    await expect(importDialog.getByTestId('import-plgd-submit').isDisabled()).resolves.toBe(true)
    await importDialog.locator('input[type="file"][multiple]').setInputFiles({
      name: 'imported-1',
      mimeType: 'text/plain',
      buffer: Buffer.from('an-imported-secret'),
    })
    await importDialog.getByTestId('import-plgd-submit').click()
    const report = importDialog.getByTestId('import-plgd-report')
    await report.waitFor()
    await expect(report.getByTestId('imported-imported-1').textContent()).resolves.toContain(
      'added',
    )
    await screenshot(page, 'export-import-plgd')
  })

  it('nothing went wrong in the page', () => {
    expect(problems.pageErrors).toEqual([])
    expect(problems.cspViolations).toEqual([])
    expect(problems.consoleErrors).toEqual([])
    expect(problems.failedRequests).toEqual([])
  })
})
