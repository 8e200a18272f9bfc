// @vitest-environment node
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliJson } from '../helpers/cli.js'
import { SCREENSHOT_DIR, clearScreenshots, screenshot } from './browser.js'
import { useConsole } from './fixture.js'
import { startClientAppProcess, type ClientAppProcess } from './local-sim.js'
import { startSimulatorProcess, type SimProcess } from './plgd-sim.js'

/**
 * A bench run in a real browser: the console, the hub simulator trusting its issuer, and the
 * client-application simulator whose devices reach that hub. On the Bench page the technician
 * points the console at client-application, initialises it, discovers four devices (two late),
 * owns two and onboards them directly with tokens from this issuer, until both are registered
 * at the hub. Each step is one `it`, in order; after a failure the rest fail fast.
 */

const OWNER = '1'
const HUB = 'lab'
const NARROW = { width: 1024, height: 700 }
const DEVICES = [
  { id: 'bench-0001', name: 'lamp one', endpoints: ['coap://10.0.7.1:5683'] },
  { id: 'bench-0002', name: 'lamp two', endpoints: ['coap://10.0.7.2:5683'] },
  // Answer later: their rows come after the others, while discovery still runs. (The job writes
  // a partial batch when the next device answers, so the middle one flushes the first ones.)
  { id: 'bench-0004', name: 'lamp four', endpoints: ['coap://10.0.7.4:5683'], answerAfterMs: 600 },
  {
    id: 'bench-0003',
    name: 'lamp three',
    endpoints: ['coap://10.0.7.3:5683'],
    answerAfterMs: 2000,
  },
]
const CHOSEN = ['bench-0001', 'bench-0003']
/** Left unowned by the bench run; owned and pointed at DPS at the end. */
const LATE = 'bench-0004'

let workDir: string
beforeAll(() => {
  clearScreenshots(/^local-.*\.png$/)
  workDir = mkdtempSync(join(tmpdir(), 'plgd-m2m-e2e-local-'))
})
afterAll(() => rmSync(workDir, { recursive: true, force: true }))

describe('a bench run: discover, own and onboard directly', () => {
  const c = useConsole({ vault: 'keychain', scope: 'all' })
  const state = { failed: undefined as string | undefined, shots: 0 }
  const page = () => c.current.page
  const byId = (testId: string) => page().getByTestId(testId)
  const text = async (testId: string) =>
    ((await byId(testId).first().textContent()) ?? '').replace(/\s+/g, ' ').trim()
  const shot = async (name: string) => {
    state.shots++
    await screenshot(page(), `local-${String(state.shots).padStart(2, '0')}-${name}`)
  }
  const narrowShot = async (name: string) => {
    const before = page().viewportSize()
    await page().setViewportSize(NARROW)
    await page().waitForTimeout(300)
    await page().screenshot({
      path: join(SCREENSHOT_DIR, `local-1024-${name}.png`),
      animations: 'disabled',
    })
    if (before) await page().setViewportSize(before)
  }
  const step = (name: string, fn: () => Promise<void>) =>
    it(name, async () => {
      if (state.failed) throw new Error(`skipped: "${state.failed}" failed`)
      try {
        await fn()
      } catch (err) {
        state.failed = name
        await screenshot(page(), `local-failed-${name.replace(/\W+/g, '-')}`).catch(() => undefined)
        // With what the page logged: a render error shows only there and in a notification.
        const logged = c.current.problems.consoleErrors.slice(-3)
        if (logged.length === 0 || !(err instanceof Error)) throw err
        throw new Error(`${err.message}\npage console errors:\n${logged.join('\n')}`, {
          cause: err,
        })
      }
    })
  const cli = (args: string[]) => cliJson(args, { dataDir: c.current.dataDir })
  const row = (id: string) =>
    page().locator(`[data-testid="local-device-row"][data-device-id="${id}"]`)

  let hub: SimProcess
  let app: ClientAppProcess
  afterAll(async () => {
    await app?.stop()
    await hub?.stop()
  })

  step('first run; a hub simulator, its profile and clients; a client-application', async () => {
    await byId('first-run-form').waitFor()
    await byId('first-run-submit').click()
    await byId('nav-dashboard').waitFor()
    hub = await startSimulatorProcess(c.current.serve.ready, workDir, 50)
    await cli(['clients', 'add', '--id', 'console', '--owner', OWNER])
    // The client coap-gateway's provider trusts: each device's token is minted for it.
    await cli(['clients', 'add', '--id', 'coap-gw', '--owner', OWNER, '--allow-device-id'])
    await cli([
      'hubs',
      'add',
      '--name',
      HUB,
      '--url',
      hub.url,
      '--ca',
      hub.caFile,
      '--client',
      'console',
    ])
    const devicesFile = join(workDir, 'devices.json')
    writeFileSync(devicesFile, JSON.stringify(DEVICES))
    app = await startClientAppProcess({ hubUrl: hub.url, hubCaFile: hub.caFile, devicesFile })
    expect([...app.deviceIds].sort()).toEqual(DEVICES.map((d) => d.id).sort())
  })

  step('Bench: save the client-application URL; it is running, not initialised', async () => {
    await byId('nav-local').click()
    await byId('local-client-app').waitFor()
    // For this session, a port nothing listens on: the card says so with its fix.
    await byId('local-url').fill('http://127.0.0.1:1')
    await page().keyboard.press('Enter')
    const notRunning = byId('local-problem-not_running')
    await notRunning.waitFor({ timeout: 20_000 })
    await expect(notRunning.textContent()).resolves.toMatch(/127\.0\.0\.1:1/)
    await expect(text('local-discover-blocked')).resolves.toContain('not running')
    await byId('local-url').fill(app.url)
    await byId('local-url-save').click()
    await expect.poll(() => text('local-initialized'), { timeout: 20_000 }).toBe('not initialised')
    await expect(text('local-mode')).resolves.toBe('pre-shared key')
    await byId('local-problem-not_initialized').waitFor()
    await expect(byId('local-discover-start').isDisabled()).resolves.toBe(true)
    await shot('not-initialised')
  })

  step('initialise by keyboard with the owner', async () => {
    await byId('local-init-owner').focus()
    await page().keyboard.type(OWNER)
    await page().keyboard.press('Enter')
    await expect.poll(() => text('local-initialized'), { timeout: 20_000 }).toBe('initialised')
    await expect(text('local-owner')).resolves.toContain(OWNER)
    await expect(byId('local-problem-not_initialized').count()).resolves.toBe(0)
    // Initialised: the form folds away; Reset stays.
    await expect(byId('local-init-form').count()).resolves.toBe(0)
    await byId('local-reset').waitFor()
  })

  step('discover: rows stream in, the slowest device last', async () => {
    await byId('local-discover-timeout').fill('10')
    await byId('local-discover-start').click()
    // The quick devices show while the slowest has not answered yet.
    await expect
      .poll(() => text('local-discover-count'), { timeout: 10_000 })
      .toMatch(/^[23] devices so far$/)
    await byId('local-discover-cancel').waitFor()
    await expect
      .poll(() => byId('local-discover-count').getAttribute('data-count'), { timeout: 20_000 })
      .toBe('4')
    await expect
      .poll(() => text('local-discover-count'), { timeout: 20_000 })
      .toBe('4 devices found')
    const order = await byId('local-device-row').evaluateAll((rows) =>
      rows.map((r) => r.getAttribute('data-device-id')),
    )
    expect(order.at(-1)).toBe('bench-0003')
    for (const d of DEVICES) {
      await expect(row(d.id).textContent()).resolves.toContain(d.name)
      await expect(row(d.id).textContent()).resolves.toContain(d.endpoints[0])
      await expect(row(d.id).getByTestId('local-device-ownership').textContent()).resolves.toBe(
        'unowned',
      )
    }
    await expect(text('local-actions-why')).resolves.toBe('Select devices first.')
    await shot('discovered')
  })

  step('select two by keyboard and own them', async () => {
    for (const id of CHOSEN) {
      await row(id).getByTestId('local-device-select').focus()
      await page().keyboard.press('Space')
    }
    await expect(text('local-selected-count')).resolves.toBe('2 of 4 selected')
    await byId('local-own').click()
    await byId('local-bench-job').waitFor()
    await expect
      .poll(() => byId('job-progress').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('done')
    await expect(text('job-progress-counts')).resolves.toBe('2 of 2 finished (2 done)')
    for (const id of CHOSEN) {
      await expect
        .poll(() => row(id).getByTestId('local-device-ownership').textContent())
        .toBe('owned')
    }
    for (const id of ['bench-0002', 'bench-0004']) {
      await expect(row(id).getByTestId('local-device-ownership').textContent()).resolves.toBe(
        'unowned',
      )
    }
    await shot('owned')
  })

  step('onboard directly with a token of this issuer: both registered at the hub', async () => {
    await byId('local-onboard').click()
    await byId('local-onboard-dialog').waitFor()
    await expect.poll(() => byId('hub-select').inputValue()).toBe(HUB)
    await expect(byId('local-onboard-provider').inputValue()).resolves.toBe('plgd.dps')
    await byId('local-onboard-client').click()
    await page()
      .getByRole('option', { name: `coap-gw (owner ${OWNER})` })
      .click()
    await shot('onboard-dialog')
    await byId('local-onboard-submit').click()
    await byId('local-onboard-dialog').waitFor({ state: 'detached' })
    await expect.poll(() => byId('local-bench-job').getAttribute('data-kind')).toBe('local.onboard')
    await expect
      .poll(() => byId('job-progress').getAttribute('data-state'), { timeout: 60_000 })
      .toBe('done')
    await expect(text('job-progress-counts')).resolves.toBe('2 of 2 finished (2 done)')
    for (const id of CHOSEN) {
      const item = byId(`local-job-item-${id}`)
      await expect(item.getAttribute('data-state')).resolves.toBe('done')
      await expect
        .poll(() => item.getByTestId('local-job-item-device-status').textContent())
        .toBe('registered')
      await expect(item.textContent()).resolves.toMatch(/jti \S+, expires/)
    }
    await shot('onboarded')
    await narrowShot('bench')
    await byId('theme-toggle').click()
    await narrowShot('bench-dark')
    await byId('theme-toggle').click()
  })

  step('Devices: the hub lists both online for the owner', async () => {
    await byId('nav-devices').click()
    await expect.poll(() => byId('hub-select').inputValue()).toBe(HUB)
    await byId('devices-list').click()
    for (const id of CHOSEN) {
      const listed = page().locator(`[data-testid="device-row"][data-device-id="${id}"]`)
      await expect
        .poll(() => listed.getByTestId('device-status').textContent(), { timeout: 20_000 })
        .toBe('online')
    }
    for (const id of ['bench-0002', 'bench-0004']) {
      await expect(
        page().locator(`[data-testid="device-row"][data-device-id="${id}"]`).count(),
      ).resolves.toBe(0)
    }
  })

  step('point the fourth device at DPS: device and DPS steps end provisioned', async () => {
    // DPS as `dps setup` leaves it: this issuer as the authority DPS trusts, a group of owner 1.
    const chain = join(workDir, 'mfg-chain.pem')
    writeFileSync(chain, readFileSync(hub.caFile, 'utf8'))
    await cli(
      [
        'dps',
        'setup',
        '--hub',
        HUB,
        '--client',
        'dps',
        '--owner',
        OWNER,
        '--group',
        'bench',
      ].concat(['--certificate-chain', chain]),
    )
    await byId('nav-local').click()
    await byId('local-discover-start').click()
    await expect
      .poll(() => text('local-discover-count'), { timeout: 20_000 })
      .toBe('4 devices found')
    await row(LATE).getByTestId('local-device-select').check()
    await byId('local-own').click()
    await expect
      .poll(() => row(LATE).getByTestId('local-device-ownership').textContent(), {
        timeout: 30_000,
      })
      .toBe('owned')
    await byId('local-point').click()
    await byId('local-point-dialog').waitFor()
    await expect.poll(() => byId('hub-select').inputValue()).toBe(HUB)
    await byId('local-point-client').click()
    await page()
      .getByRole('option', { name: `dps (owner ${OWNER})` })
      .click()
    await byId('local-point-submit').click()
    await byId('local-point-dialog').waitFor({ state: 'detached' })
    await expect
      .poll(() => byId('local-bench-job').getAttribute('data-kind'))
      .toBe('local.pointAtDps')
    await expect
      .poll(() => byId('job-progress').getAttribute('data-state'), { timeout: 60_000 })
      .toBe('done')
    const item = byId(`local-job-item-${LATE}`)
    // The job's state and its rows are read separately: the last row may follow a moment later.
    await expect
      .poll(() => item.getByTestId('local-job-item-device-status').textContent(), {
        timeout: 10_000,
      })
      .toBe('provisioned')
    for (const s of ['ownership', 'credentials', 'acl', 'cloud', 'plgdTime']) {
      await expect(item.getByLabel(`${s}: done`).count(), s).resolves.toBe(1)
    }
    await shot('pointed-at-dps')
  })

  step('no page errors, CSP violations or failed requests', async () => {
    const { problems } = c.current
    expect(problems.pageErrors).toEqual([])
    expect(problems.cspViolations).toEqual([])
    expect(problems.failedRequests).toEqual([])
  })
})
