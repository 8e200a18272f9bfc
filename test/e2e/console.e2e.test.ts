// @vitest-environment node
import { existsSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { FORM, basicAuth, decodeJwt, httpRequest, type ServeHandle } from '../helpers/cli.js'
import { clearScreenshots, focusedTestId, screenshot, tabTo, type PageProblems } from './browser.js'
import { useConsole } from './fixture.js'

/**
 * The console in a real browser, the way an operator meets it: `serve` on a fresh data
 * directory, the printed console URL opened in Chromium, and one journey through every page —
 * first run, a client and its once-shown secret, a token issued, found in the ledger, revoked and
 * inspected, the keys, the audit chain, the dark theme. Each step is one `it`, in order; a failed
 * step makes the rest fail fast instead of timing out.
 */

const CLIENT_ID = 'dps-line-1'
const OWNER = '1'
const OWNER_CLAIM = 'https://plgd.dev/owner'
const TOKEN_NAME = 'e2e line 1'
const REVOKED_VERDICT =
  'a hub would still accept it until it expires (revocation is only seen in station mode)'

// One console for the whole journey (its steps build on each other), on the keychain vault the
// first-run page is expected to detect.
const journeyConsole = useConsole({ vault: 'keychain', scope: 'all', clipboard: true })
let serve: ServeHandle
let consoleUrl: string
let origin: string
let page: Page
let problems: PageProblems

/** Shared by the steps below. */
const journey: {
  secret?: string
  endpointJti?: string
  token?: string
  jti?: string
  kid?: string
  failed?: string
} = {}

const shots: string[] = []
async function shot(name: string): Promise<void> {
  shots.push(await screenshot(page, `${String(shots.length + 1).padStart(2, '0')}-${name}`))
}

const byId = (testId: string) => page.getByTestId(testId)

/** Text content (not innerText: badges are upper-cased by CSS), whitespace collapsed. */
async function text(testId: string): Promise<string> {
  return ((await byId(testId).textContent()) ?? '').replace(/\s+/g, ' ').trim()
}

async function goTo(nav: string): Promise<void> {
  await byId(`nav-${nav}`).click()
  await expect.poll(() => page.url()).toBe(`${origin}/#/${nav}`)
  await expect.poll(() => byId(`nav-${nav}`).getAttribute('aria-current')).toBe('page')
}

/** Calls the bridge the way the renderer does, with the session token the tab keeps. */
function rpc(method: string, input: unknown): Promise<{ status: number; body: string }> {
  return page.evaluate(
    async ([m, i]) => {
      const token = sessionStorage.getItem('plgd-console-session') ?? ''
      const res = await fetch(`/api/rpc/${m}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(i),
      })
      return { status: res.status, body: await res.text() }
    },
    [method, input] as const,
  )
}

beforeAll(() => {
  clearScreenshots(/^(\d\d|failed)-.*\.png$/)
  ;({ serve, consoleUrl, origin, page, problems } = journeyConsole.current)
})

describe('the console in a browser', () => {
  // Later steps depend on earlier ones: after the first failure they fail at once.
  const step = (name: string, fn: () => Promise<void>) =>
    it(name, async () => {
      if (journey.failed) throw new Error(`skipped: "${journey.failed}" failed`)
      try {
        await fn()
      } catch (err) {
        journey.failed = name
        await screenshot(page, `failed-${name.replace(/\W+/g, '-')}`).catch(() => undefined)
        throw err
      }
    })

  step('serve prints a loopback console URL with a session fragment', async () => {
    expect(consoleUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#session=[A-Za-z0-9_-]{43}$/)
    expect(serve.ready.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//)
  })

  step('first run: keychain vault, keep ES256, loopback only', async () => {
    // The fixture opened the console URL and waited for the readiness marker.
    // The session token leaves the address bar (and history) at once.
    expect(page.url()).toBe(`${origin}/`)
    expect(await page.evaluate(() => sessionStorage.getItem('plgd-console-session'))).toBe(
      new URL(consoleUrl).hash.slice('#session='.length),
    )
    await expect(page.title()).resolves.toBe('plgd M2M Console')
    await byId('first-run-form').waitFor()
    await expect(byId('first-run-vault').getAttribute('data-vault-mode')).resolves.toBe('keychain')
    await expect(
      byId('first-run-alg').locator('input[type="radio"]:checked').inputValue(),
    ).resolves.toBe('ES256')
    await expect(byId('first-run-expose-lan').isChecked()).resolves.toBe(false)
    await expect(byId('first-run-public-host').inputValue()).resolves.toBe('')
    await shot('first-run')
    await byId('first-run-submit').click()
    await byId('nav-dashboard').waitFor()
  })

  step('dashboard: running issuer, active ES256 key, nothing issued yet', async () => {
    await expect.poll(() => text('issuer-running')).toBe('issuer running')
    await expect(text('dashboard-issuer-url')).resolves.toBe(serve.ready.issuer)
    await expect(text('dashboard-token-endpoint')).resolves.toBe(serve.ready.tokenEndpoint)
    await expect(text('dashboard-jwks-uri')).resolves.toBe(serve.ready.jwksUri)
    await expect(text('dashboard-active-key')).resolves.toContain('ES256')
    await expect(text('count-clients')).resolves.toBe('0')
    await expect(text('count-tokens')).resolves.toBe('0')
    await expect(byId('download-ca-cert').isEnabled()).resolves.toBe(true)
    await shot('dashboard')
  })

  step(
    'create a client by keyboard only: Tab to the button, Enter through the wizard',
    async () => {
      await goTo('clients')
      await byId('clients-empty').waitFor()
      // From here on, no mouse: focus starts on the nav link just used.
      await tabTo(page, 'create-client-button')
      await page.keyboard.press('Enter')
      await byId('create-client-dialog').waitFor()
      await expect.poll(() => focusedTestId(page)).toBe('client-id-input')
      await page.keyboard.type(CLIENT_ID)
      await tabTo(page, 'client-owner-input')
      await page.keyboard.type(OWNER)
      await page.keyboard.press('Enter')
      // Step 2 (token policy) focuses its first field; Enter moves on again.
      await expect.poll(() => focusedTestId(page)).toBe('client-audiences-input')
      await page.keyboard.press('Enter')
      await byId('client-secret-note').waitFor()
      await shot('clients-create-dialog')
      await tabTo(page, 'create-client-submit')
      await page.keyboard.press('Enter')
      await byId('secret-dialog').waitFor()
      await byId('create-client-dialog').waitFor({ state: 'detached' })
    },
  )

  step('the secret is shown once: copy it, confirm it was saved', async () => {
    const secret = (await byId('secret-display').innerText()).trim()
    expect(secret).toMatch(/^\S{32,}$/)
    journey.secret = secret
    await expect(byId('secret-dialog').innerText()).resolves.toContain(CLIENT_ID)
    // Neither Escape nor Done gets past it before "I saved it" is ticked.
    await expect(byId('secret-done').isDisabled()).resolves.toBe(true)
    await page.keyboard.press('Escape')
    await expect(byId('secret-dialog').isVisible()).resolves.toBe(true)

    await byId('copy-secret').click()
    await expect.poll(() => byId('copy-secret').getAttribute('data-copied')).toBe('true')
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(secret)
    await shot('clients-secret-once')

    await byId('secret-saved-checkbox').check()
    await expect(byId('secret-done').isEnabled()).resolves.toBe(true)
    await byId('secret-done').click()
    await byId('secret-dialog').waitFor({ state: 'detached' })
    await byId(`client-row-${CLIENT_ID}`).waitFor()
    const cells = await byId(`client-row-${CLIENT_ID}`).locator('td').allTextContents()
    expect(cells.map((c) => c.trim())).toEqual([
      CLIENT_ID,
      OWNER,
      'Client secret',
      'JWT',
      expect.any(String),
      'enabled',
    ])
    await expect(page.getByTestId(/^client-row-/).count()).resolves.toBe(1)
    await shot('clients-list')
  })

  step('the copied secret is the real one: the token endpoint accepts it', async () => {
    const res = await httpRequest(serve.ready.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': FORM, authorization: basicAuth(CLIENT_ID, journey.secret!) },
      body: 'grant_type=client_credentials',
      agent: serve.agent,
    })
    expect(res.status, res.text).toBe(200)
    const { payload } = decodeJwt(res.json<{ access_token: string }>().access_token)
    expect(payload[OWNER_CLAIM]).toBe(OWNER)
    journey.endpointJti = payload.jti as string
  })

  step('the secret is not retrievable afterwards: client detail shows none', async () => {
    await byId(`client-open-${CLIENT_ID}`).click()
    await expect.poll(() => page.url()).toBe(`${origin}/#/clients/${CLIENT_ID}`)
    await byId('client-detail').waitFor()
    await byId('client-secrets').waitFor()
    await expect(text('client-status')).resolves.toBe('enabled')
    // One valid secret, described by its dates only.
    await expect(byId('client-secrets').locator('tbody tr').count()).resolves.toBe(1)
    await expect(byId('client-secrets').innerText()).resolves.toContain('current')
    await expect(byId('secret-display').count()).resolves.toBe(0)
    const html = await page.content()
    expect(html).not.toContain(journey.secret)
    // Nor through the API the page uses.
    for (const [method, input] of [
      ['clients.get', { id: CLIENT_ID }],
      ['clients.list', {}],
    ] as const) {
      const res = await rpc(method, input)
      expect(res.status).toBe(200)
      expect(res.body).toContain(CLIENT_ID)
      expect(res.body).not.toContain(journey.secret)
    }
    await shot('client-detail')
  })

  step('issue a token for the client: result with a running countdown', async () => {
    await goTo('tokens')
    await byId('ledger-table').waitFor()
    await byId('issue-token-button').click()
    await byId('issue-token-dialog').waitFor()
    // The only client is chosen already.
    await expect(byId('issue-client-select').inputValue()).resolves.toBe(
      `${CLIENT_ID} (owner ${OWNER})`,
    )
    await byId('issue-name').fill(TOKEN_NAME)
    await byId('issue-submit').click()
    await byId('token-result').waitFor()

    const token = (await byId('token-value').innerText()).trim()
    const { header, payload } = decodeJwt(token)
    expect(header.alg).toBe('ES256')
    expect(payload).toMatchObject({
      client_id: CLIENT_ID,
      iss: serve.ready.issuer,
      name: TOKEN_NAME,
      [OWNER_CLAIM]: OWNER,
    })
    const jti = payload.jti as string
    expect(jti).toMatch(/^[0-9a-f-]{36}$/)
    expect(jti).not.toBe(journey.endpointJti)
    // The decoded view shows the same claims.
    const shownPayload = JSON.parse(await byId('token-payload-json').innerText()) as object
    expect(shownPayload).toEqual(payload)
    await expect(byId('token-result').innerText()).resolves.toContain(jti)

    const countdown = byId('token-countdown')
    await expect(countdown.textContent()).resolves.toMatch(/^expires in \S/)
    const left = Number(await countdown.getAttribute('data-seconds-left'))
    const lifetime = (payload.exp as number) - (payload.iat as number)
    expect(left).toBeGreaterThan(0)
    expect(left).toBeLessThanOrEqual(lifetime)
    await expect
      .poll(async () => Number(await countdown.getAttribute('data-seconds-left')), {
        timeout: 5000,
      })
      .toBeLessThan(left)
    journey.token = token
    journey.jti = jti
    journey.kid = header.kid as string
    await shot('tokens-issued')
    await byId('issue-done').click()
    await byId('issue-token-dialog').waitFor({ state: 'detached' })
  })

  step('the token is in the ledger under its jti; revoke it', async () => {
    const jti = journey.jti!
    const row = byId(`ledger-row-${jti}`)
    await row.waitFor()
    await expect(row.getAttribute('data-state')).resolves.toBe('active')
    const cells = (await row.locator('td').allTextContents()).map((c) => c.trim())
    expect(cells[1]).toBe(`${TOKEN_NAME}${jti}`)
    expect(cells[2]).toBe(CLIENT_ID)
    expect(cells[3]).toBe(OWNER)
    expect(cells[6]).toBe('active')
    await expect.poll(() => byId('ledger-total').getAttribute('data-total')).toBe('2')
    await expect(page.getByTestId(/^ledger-row-/).count()).resolves.toBe(2)
    await expect(byId('revoke-selected').isDisabled()).resolves.toBe(true)

    await byId(`revoke-token-${jti}`).click()
    await byId('revoke-dialog').waitFor()
    await expect(byId('revoke-dialog').innerText()).resolves.toContain('Revoke this token?')
    await byId('revoke-dialog-confirm').click()
    await byId('revoke-dialog').waitFor({ state: 'detached' })
    await expect.poll(() => row.getAttribute('data-state')).toBe('revoked')
    await expect(row.textContent()).resolves.toContain('revoked')
    await expect(byId(`revoke-token-${jti}`).count()).resolves.toBe(0)
    await expect(byId(`ledger-select-${jti}`).isDisabled()).resolves.toBe(true)
    // The token from the endpoint is untouched.
    await expect(
      byId(`ledger-row-${journey.endpointJti!}`).getAttribute('data-state'),
    ).resolves.toBe('active')
    await shot('tokens-ledger-revoked')
  })

  step('the inspector verifies the token and notes the revocation', async () => {
    await goTo('inspector')
    await byId('inspector-empty').waitFor()
    await byId('inspector-input').fill(journey.token!)
    await byId('inspector-submit').click()
    await byId('inspector-result').waitFor()
    await expect(byId('inspector-verification').getAttribute('data-valid')).resolves.toBe('true')
    await expect(text('inspector-verification')).resolves.toContain('signature valid')
    await expect(text('inspector-verification')).resolves.toContain(
      `checked against ${serve.ready.issuer}`,
    )
    // serve without --station: hubs never see the revocation, so a hub would still accept the
    // token, and the inspector says so instead of listing the revocation as a rejection.
    await byId('inspector-revoked-unseen').waitFor()
    await expect(text('inspector-revoked-unseen')).resolves.toContain(REVOKED_VERDICT)
    await expect(byId('inspector-rejections').count()).resolves.toBe(0)
    await byId('inspector-accepted').waitFor()
    const payload = JSON.parse(await byId('inspector-payload').innerText()) as { jti?: string }
    expect(payload.jti).toBe(journey.jti)
    await shot('inspector')
  })

  step('keys: one active ES256 key, the one that signed the token', async () => {
    await goTo('keys')
    await byId('keys-table').waitFor()
    const active = page.locator('[data-testid^="key-row-"][data-state="active"]')
    await expect(active.count()).resolves.toBe(1)
    await expect(active.getAttribute('data-testid')).resolves.toBe(`key-row-${journey.kid}`)
    await expect(active.innerText()).resolves.toContain('ES256')
    await byId('keys-timeline').waitFor()
    await shot('keys')
  })

  step('audit: the journey is recorded and the chain verifies', async () => {
    await goTo('audit')
    await byId('audit-table').waitFor()
    // The action column reads in words above the raw action (in <code>).
    const actions = await byId('audit-table')
      .locator('tbody tr td:nth-child(4) code')
      .allInnerTexts()
    const trimmed = actions.map((a) => a.trim())
    for (const action of [
      'setup.completed',
      'client.created',
      'token.issued_by_admin',
      'token.revoked',
    ]) {
      expect(trimmed, action).toContain(action)
    }
    const revokedRow = byId('audit-table').locator('tbody tr', { hasText: 'token.revoked' })
    await expect(revokedRow.innerText()).resolves.toContain(journey.jti!)
    await expect(
      byId('audit-table').locator('tbody tr', { hasText: 'client.created' }).innerText(),
    ).resolves.toContain(CLIENT_ID)
    await expect(byId('audit-total').getAttribute('data-total')).resolves.toBe(
      String(trimmed.length),
    )
    await byId('audit-verify').click()
    await byId('audit-verify-result').waitFor()
    await expect(byId('audit-verify-result').getAttribute('data-ok')).resolves.toBe('true')
    await expect(text('audit-verify-result')).resolves.toContain('Chain intact')
    await expect(text('audit-verify-result')).resolves.toContain(
      `All ${trimmed.length} entries follow from their predecessors.`,
    )
    await shot('audit')
  })

  step('dark theme: toggled once, kept across a reload of the tab', async () => {
    await goTo('dashboard')
    await expect.poll(() => text('count-clients')).toBe('1')
    await expect.poll(() => text('count-tokens')).toBe('2')
    await expect.poll(() => text('count-active-tokens')).toBe('1')
    const scheme = () => page.locator('html').getAttribute('data-mantine-color-scheme')
    await expect(scheme()).resolves.toBe('light')
    await expect(text('theme-toggle')).resolves.toBe('Dark theme')
    await byId('theme-toggle').click()
    await expect.poll(scheme).toBe('dark')
    await expect(text('theme-toggle')).resolves.toBe('Light theme')
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor)
    const [r = 255, g = 255, b = 255] = (background.match(/\d+/g) ?? []).map(Number)
    expect(r + g + b, background).toBeLessThan(3 * 80)
    await shot('dashboard-dark')

    // The tab keeps its session (sessionStorage) and the theme (localStorage); the address bar
    // never shows the token again.
    await page.reload({ waitUntil: 'domcontentloaded' })
    await page.locator('html[data-app-state="ready"]').waitFor({ state: 'attached' })
    await byId('nav-dashboard').waitFor()
    expect(page.url()).toBe(`${origin}/#/dashboard`)
    await expect.poll(scheme).toBe('dark')
  })

  step('no console errors, page errors, CSP violations or failed requests', async () => {
    expect(problems.pageErrors).toEqual([])
    expect(problems.cspViolations).toEqual([])
    expect(problems.consoleErrors).toEqual([])
    expect(problems.failedRequests).toEqual([])
    expect(shots.length).toBe(12)
  })
})

describe('a fresh console per spec (passphrase vault)', () => {
  const fresh = useConsole()
  const dataDirs: string[] = []

  it.each([1, 2])('spec %i starts at first run on its own data directory', async () => {
    const { page: tab, dataDir, problems: seen } = fresh.current
    expect(existsSync(dataDir)).toBe(true)
    // The specs before this one ran on other directories, removed once they ended.
    for (const earlier of dataDirs) expect(existsSync(earlier), earlier).toBe(false)
    expect(dataDirs).not.toContain(dataDir)
    dataDirs.push(dataDir)
    const id = (testId: string) => tab.getByTestId(testId)
    await id('first-run-form').waitFor()
    await expect(id('first-run-vault').getAttribute('data-vault-mode')).resolves.toBe('passphrase')
    await id('first-run-passphrase-warning').waitFor()
    await id('first-run-submit').click()
    await id('nav-dashboard').waitFor()
    await expect.poll(async () => (await id('count-clients').textContent())?.trim()).toBe('0')
    expect(seen.pageErrors).toEqual([])
    expect(seen.failedRequests).toEqual([])
  })
})
