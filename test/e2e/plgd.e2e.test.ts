// @vitest-environment node
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliJson } from '../helpers/cli.js'
import { SCREENSHOT_DIR, clearScreenshots, focusedTestId, screenshot } from './browser.js'
import { useConsole, type ConsoleHandle } from './fixture.js'
import { startSimulatorProcess, writeCertificateChain, type SimProcess } from './plgd-sim.js'

/**
 * The plgd pages in a real browser against the hub simulator (a process trusting the serve's
 * issuer): the DPS wizard from the hub profile to two devices provisioned with tokens from this
 * issuer, and a configuration applied to 200 devices with progress, Cancel, Resume and the
 * per-row report. Each step is one `it`, in order; after a failure the rest fail fast.
 */

const OWNER = '1'
const HUB = 'lab'
const DEVICES = ['e2e-device-0001', 'e2e-device-0002']
const STEPS = ['Ownership', 'Credentials', 'ACLs', 'Cloud', 'plgd time']
const NARROW = { width: 1024, height: 700 }

let workDir: string
beforeAll(() => {
  clearScreenshots(/^plgd-.*\.png$/)
  workDir = mkdtempSync(join(tmpdir(), 'plgd-m2m-e2e-plgd-'))
})
afterAll(() => rmSync(workDir, { recursive: true, force: true }))

/** A journey's helpers over one console page. */
function journeyOf(current: () => ConsoleHandle, prefix: string) {
  const state = { failed: undefined as string | undefined, shots: 0 }
  const page = (): Page => current().page
  const byId = (testId: string) => page().getByTestId(testId)
  const text = async (testId: string) =>
    ((await byId(testId).first().textContent()) ?? '').replace(/\s+/g, ' ').trim()
  const shot = async (name: string) => {
    state.shots++
    await screenshot(page(), `plgd-${prefix}-${String(state.shots).padStart(2, '0')}-${name}`)
  }
  /** At 1024×700, the visible part only: what a small laptop screen shows. */
  const narrowShot = async (name: string) => {
    const p = page()
    const before = p.viewportSize()
    await p.setViewportSize(NARROW)
    await p.waitForTimeout(300)
    await p.screenshot({
      path: join(SCREENSHOT_DIR, `plgd-1024-${name}.png`),
      animations: 'disabled',
    })
    if (before) await p.setViewportSize(before)
  }
  const goTo = async (nav: string) => {
    await byId(`nav-${nav}`).click()
    await expect.poll(() => byId(`nav-${nav}`).getAttribute('aria-current')).toBe('page')
  }
  const step = (name: string, fn: () => Promise<void>) =>
    it(name, async () => {
      if (state.failed) throw new Error(`skipped: "${state.failed}" failed`)
      try {
        await fn()
      } catch (err) {
        state.failed = name
        await screenshot(page(), `plgd-${prefix}-failed-${name.replace(/\W+/g, '-')}`).catch(
          () => undefined,
        )
        throw err
      }
    })
  /** First run as the operator leaves it by default. */
  const firstRun = async () => {
    await byId('first-run-form').waitFor()
    await byId('first-run-submit').click()
    await byId('nav-dashboard').waitFor()
  }
  /** A client of our issuer through the CLI, against the running serve's data directory. */
  const addClient = (id: string) =>
    cliJson(['clients', 'add', '--id', id, '--owner', OWNER], { dataDir: current().dataDir })
  /** Picks a file through the browser's file chooser opened by the button. */
  const chooseFile = async (buttonTestId: string, file: string) => {
    const [chooser] = await Promise.all([
      page().waitForEvent('filechooser'),
      byId(buttonTestId).click(),
    ])
    await chooser.setFiles(file)
  }
  return { state, page, byId, text, shot, narrowShot, goTo, step, firstRun, addClient, chooseFile }
}

describe('DPS onboarding in the console', () => {
  const c = useConsole({ vault: 'keychain', scope: 'all' })
  const j = journeyOf(() => c.current, 'dps')
  const { byId, text, shot, step } = j
  let sim: SimProcess
  let chainFile: string
  afterAll(() => sim?.stop())

  step('first run, a hub simulator trusting this issuer, a client for the console', async () => {
    await j.firstRun()
    sim = await startSimulatorProcess(c.current.serve.ready, workDir, 100)
    chainFile = join(workDir, 'mfg-chain.pem')
    await writeCertificateChain(chainFile)
    await j.addClient('console')
  })

  step('Hubs: add the hub by its URL with its CA file; discovery fills the rest', async () => {
    await j.goTo('hubs')
    await byId('hubs-empty').waitFor()
    await byId('add-hub-button').click()
    await byId('add-hub-dialog').waitFor()
    await expect.poll(() => focusedTestId(j.page())).toBe('hub-name-input')
    await j.page().keyboard.type(HUB)
    await j.page().keyboard.press('Tab')
    await j.page().keyboard.type(sim.url)
    await j.chooseFile('hub-ca-file', sim.caFile)
    await expect.poll(() => text('hub-ca-file')).toBe('Replace CA file…')
    await byId('hub-client-select').click()
    await j
      .page()
      .getByRole('option', { name: `console (owner ${OWNER})` })
      .click()
    await shot('add-hub')
    await byId('add-hub-submit').click()
    await byId('add-hub-dialog').waitFor({ state: 'detached' })
    await byId(`hub-${HUB}`).waitFor()
    await expect(text(`hub-${HUB}`)).resolves.toContain('client console')
    // Opened after adding: what discovery read from hub-configuration.
    await byId('hub-details').waitFor()
    await expect(text('hub-details')).resolves.toContain(sim.hubId)
    await byId('hub-check-button').click()
    await expect
      .poll(() => text('hub-check-verdict'), { timeout: 20_000 })
      .toBe('all checks passed')
    await shot('hub-checked')
  })

  step('wizard, step 1: a new DPS client by keyboard, owner from the hub profile', async () => {
    await j.goTo('dps')
    await byId('dps-wizard').waitFor()
    await expect.poll(() => byId('hub-select').inputValue()).toBe(HUB)
    // 'dps' is offered; typed over, as an operator naming the client would.
    await expect(byId('dps-client').inputValue()).resolves.toBe('dps')
    await byId('dps-client').click()
    await j.page().keyboard.press('ControlOrMeta+A')
    await j.page().keyboard.type('dps')
    await j.page().keyboard.press('Escape') // closes the autocomplete's suggestions
    await byId('dps-owner').waitFor()
    await shot('wizard-client')
    await byId('dps-owner').focus()
    await j.page().keyboard.press('Enter')
    await byId('dps-step-group').waitFor()
  })

  step('wizard, step 2: the enrollment group with a certificate chain file', async () => {
    await byId('dps-group').click()
    await j.page().keyboard.type('line-1')
    await j.chooseFile('dps-chain-file', chainFile)
    await expect.poll(() => byId('dps-chain').inputValue()).toBe(readFileSync(chainFile, 'utf8'))
    await expect(text('dps-psk')).resolves.toBe('no pre-shared key')
    await shot('wizard-group')
    await byId('dps-group').focus()
    await j.page().keyboard.press('Enter')
    await byId('dps-review').waitFor()
  })

  step('review: the dry run shows what will be created; nothing applied yet', async () => {
    await byId('dps-plan').waitFor({ timeout: 20_000 })
    for (const target of ['client', 'dps-hub', 'enrollment-group']) {
      await expect(text(`dps-plan-${target}`), target).resolves.toContain('create')
    }
    await expect(text('dps-plan-client')).resolves.toContain('DPS client (this issuer) dps')
    await expect(text('dps-plan-enrollment-group')).resolves.toContain('line-1')
    const plan = await text('dps-plan')
    expect(plan).toContain('authorization.provider')
    // The fresh secret goes to DPS only: the diff shows it masked.
    expect(plan).toContain('**** (sent to DPS only)')
    expect(plan).toContain('data:,****')
    expect(plan).not.toMatch(/-----BEGIN (EC |)PRIVATE KEY/)
    await expect(byId('dps-review-error').count()).resolves.toBe(0)
    await shot('wizard-review')
    await j.narrowShot('dps-review')
    await byId('dps-apply').click()
    await byId('dps-applied').waitFor({ timeout: 20_000 })
    await expect(text('dps-applied')).resolves.toContain('DPS is set up')
    await shot('wizard-applied')
  })

  step('checklist: what is done and the YAML the hub admin must add', async () => {
    await j.page().getByRole('tab', { name: 'Checklist' }).click()
    await byId('dps-checklist').waitFor()
    await expect.poll(() => text('dps-checklist'), { timeout: 15_000 }).toContain('authority')
    await shot('checklist')
  })

  step('watch: two devices connect through DPS and every step ends done', async () => {
    await sim.hook('/_sim/devices', { ids: DEVICES })
    await j.page().getByRole('tab', { name: 'Watch devices' }).click()
    await byId('dps-watch-ids').fill(DEVICES.join('\n'))
    await expect(byId('dps-watch-client').inputValue()).resolves.toBe('dps')
    await byId('dps-watch-start').click()
    await byId('dps-watch-job').waitFor()
    await expect
      .poll(() => byId('job-progress').getAttribute('data-state'), { timeout: 60_000 })
      .toBe('done')
    await expect(text('job-progress-counts')).resolves.toBe('2 of 2 finished (2 done)')
    for (const device of DEVICES) {
      const row = byId(`dps-steps-${device}`)
      await expect
        .poll(async () => (await row.locator('td').last().textContent())?.trim())
        .toBe('done')
      for (const s of STEPS) {
        await expect(row.getByLabel(`${s}: done`).count(), `${device} ${s}`).resolves.toBe(1)
      }
    }
    await shot('watch-done')
  })

  step('Hubs and DPS at 1024×700', async () => {
    await j.narrowShot('dps')
    await j.goTo('hubs')
    await byId(`hub-${HUB}`).waitFor()
    await j.narrowShot('hubs')
  })

  step('no page errors, CSP violations or failed requests', async () => {
    const { problems } = c.current
    expect(problems.pageErrors).toEqual([])
    expect(problems.cspViolations).toEqual([])
    expect(problems.failedRequests).toEqual([])
  })
})

describe('a configuration applied to 200 devices: progress, cancel, resume, report', () => {
  const c = useConsole({ vault: 'keychain', scope: 'all' })
  const j = journeyOf(() => c.current, 'apply')
  const { byId, text, shot, step } = j
  let sim: SimProcess
  let ids: string[]
  let jobId: string
  const counts = async () =>
    ((await byId('job-progress-counts').first().textContent()) ?? '').trim()
  const finishedOf = (line: string) => Number(/^(\d+) of/.exec(line)?.[1] ?? NaN)
  afterAll(() => sim?.stop())

  step('a hub profile from the CLI; 200 devices at the hub, 10 of them slow', async () => {
    await j.firstRun()
    sim = await startSimulatorProcess(c.current.serve.ready, workDir, 150)
    await j.addClient('console')
    const added = await cliJson<{ hub: { name: string; hubId: string } }>(
      ['hubs', 'add', '--name', HUB, '--url', sim.url, '--ca', sim.caFile, '--client', 'console'],
      { dataDir: c.current.dataDir },
    )
    expect(added.hub).toMatchObject({ name: HUB, hubId: sim.hubId })
    ;({ ids } = await sim.hook<{ ids: string[] }>('/_sim/devices/fabricate', {
      count: 200,
      owner: OWNER,
    }))
    expect(ids).toHaveLength(200)
    await sim.hook('/_sim/slow', { ids: ids.slice(-10) })
  })

  step('Pre-configuration: create a configuration as href + JSON', async () => {
    await j.goTo('configs')
    await byId('configs-empty').waitFor()
    await byId('config-new').click()
    await byId('create-config-dialog').waitFor()
    await expect.poll(() => focusedTestId(j.page())).toBe('config-name')
    await j.page().keyboard.type('lights on')
    await byId('config-href-0').fill('/light/1')
    await byId('config-json-0').fill('{"state": true, "power": 40}')
    await shot('create-config')
    await byId('config-create-submit').click()
    await byId('create-config-dialog').waitFor({ state: 'detached' })
    await byId('config-row').waitFor()
    await expect(text('config-row')).resolves.toContain('lights on')
    await expect(text('config-row')).resolves.toContain('/light/1')
  })

  step('apply to 200 devices, 8 in flight: the bar moves, then Cancel', async () => {
    await byId('config-apply').click()
    await byId('apply-dialog').waitFor()
    await byId('apply-device-ids').fill(ids.join('\n'))
    await expect(text('apply-device-count')).resolves.toContain('200')
    await byId('apply-concurrency').fill('8')
    await shot('apply-form')
    await sim.hook('/_sim/request-log/reset', {})
    await byId('apply-submit').click()
    await byId('job-progress').waitFor()
    jobId = ((await byId('job-progress-link').getAttribute('href')) ?? '').split('/').pop()!
    expect(jobId).not.toBe('')
    // The bar moves: more finished devices over time.
    await expect
      .poll(async () => finishedOf(await counts()), { timeout: 30_000 })
      .toBeGreaterThan(0)
    const early = finishedOf(await counts())
    await expect
      .poll(async () => finishedOf(await counts()), { timeout: 30_000 })
      .toBeGreaterThan(early)
    await expect(byId('job-progress-done').count()).resolves.toBe(1)
    await shot('apply-progress')
    await byId('job-progress-cancel').click()
    await expect
      .poll(() => byId('job-progress').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('cancelled')
    const line = await counts()
    expect(line).toMatch(/^200 of 200 finished \(.*\d+ cancelled\)$/)
    expect(finishedOf(line)).toBe(200)
    expect(line).not.toMatch(/pending|running/)
    // The hub never saw more than the 8 requests in flight asked for.
    const log = await sim.read<{ maxInFlight: number; total: number }>('/_sim/request-log')
    expect(log.total).toBeGreaterThan(0)
    expect(log.maxInFlight).toBeLessThanOrEqual(8)
    await shot('apply-cancelled')
  })

  step('the job page: Resume finishes the cancelled devices; the report is offered', async () => {
    await byId('job-progress-link').click()
    await byId('job-detail').waitFor()
    await expect.poll(() => j.page().url()).toContain(`#/jobs/${jobId}`)
    await byId('job-resume').click()
    await expect
      .poll(() => byId('job-progress').getAttribute('data-state'), { timeout: 100_000 })
      .toBe('done')
    await expect(counts()).resolves.toBe('200 of 200 finished (190 done, 10 timeout)')
    await shot('job-resumed')
    await j.narrowShot('job-detail')
    const [download] = await Promise.all([
      j.page().waitForEvent('download'),
      byId('job-report').click(),
    ])
    expect(download.suggestedFilename()).toBe(`job-${jobId}.csv`)
    const file = join(workDir, 'report.csv')
    await download.saveAs(file)
    const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/)
    expect(lines).toHaveLength(201)
    expect(lines[0]).toMatch(/^key,state/)
    expect(lines.filter((l) => l.includes(',timeout,'))).toHaveLength(10)
  })

  step('Pre-configuration, Devices and Jobs at 1024×700', async () => {
    await j.goTo('configs')
    await byId('config-row').waitFor()
    await j.narrowShot('configs')
    await j.goTo('devices')
    await byId('devices-list').click()
    await expect
      .poll(() => byId('devices-count').getAttribute('data-count'), { timeout: 30_000 })
      .toBe('200')
    await j.narrowShot('devices')
    await j.goTo('jobs')
    await byId(`job-row-${jobId}`).waitFor()
    await j.narrowShot('jobs')
  })

  step('no page errors, CSP violations or failed requests', async () => {
    const { problems } = c.current
    expect(problems.pageErrors).toEqual([])
    expect(problems.cspViolations).toEqual([])
    expect(problems.failedRequests).toEqual([])
  })
})
