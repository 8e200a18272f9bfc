// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { DpsSetupResult, ParsedInput } from '../../shared/contract/index'
import { ReviewStep } from '../../renderer/src/features/dps/ReviewStep'
import { SetupWizard } from '../../renderer/src/features/dps/SetupWizard'
import { SETUP_DEFAULTS } from '../../renderer/src/features/dps/setup-form'
import { WatchPanel } from '../../renderer/src/features/dps/WatchPanel'
import { ChecklistPanel } from '../../renderer/src/features/dps/ChecklistPanel'
import type { JobItemView, JobView } from '../../shared/contract/index'
import { clientView, fakeConsole, renderWithApp } from './helpers'

const CHAIN = '-----BEGIN CERTIFICATE-----\nMIIBmfg\n-----END CERTIFICATE-----\n'

function planFor(input: ParsedInput<'dps.setup'>): DpsSetupResult {
  return {
    applied: !input.dryRun,
    dpsHubId: input.dryRun ? null : 'hub-rec-1',
    enrollmentGroupId: input.dryRun ? null : 'group-1',
    warnings: ['the issuer URL is a loopback address'],
    plan: [
      {
        target: 'client',
        action: 'rotate-secret',
        id: 'dps',
        name: 'dps',
        changes: [
          { field: 'secret', from: '**** (keeps working 3600 s)', to: '**** (sent to DPS only)' },
        ],
      },
      {
        target: 'dps-hub',
        action: 'update',
        id: 'hub-rec-1',
        name: 'lab',
        changes: [
          { field: 'gateways', from: ['coaps+tcp://old:5684'], to: ['coaps+tcp://hub:5684'] },
          { field: 'authorization.provider.clientSecret', from: 'data:,****', to: 'data:,****' },
        ],
      },
      { target: 'enrollment-group', action: 'create', id: null, name: 'line-1', changes: [] },
    ],
  }
}

describe('DPS wizard review step', () => {
  it('shows the dry run as a per-field diff, secrets masked, and applies only on Apply', async () => {
    const fake = fakeConsole({ 'dps.setup': planFor })
    const user = userEvent.setup()
    let applied: DpsSetupResult | null = null
    renderWithApp(
      <ReviewStep
        values={{ ...SETUP_DEFAULTS, hub: 'lab', group: 'line-1', certificateChainPem: CHAIN }}
        clients={[clientView({ id: 'dps', owner: '1' })]}
        onBack={() => undefined}
        onApplied={(r) => {
          applied = r
        }}
      />,
      fake.api,
    )
    const plan = await screen.findByTestId('dps-plan')
    expect(fake.callsTo('dps.setup')).toEqual([
      expect.objectContaining({ hub: 'lab', clientId: 'dps', group: 'line-1', dryRun: true }),
    ])
    // An existing client: no owner is sent.
    expect((fake.callsTo('dps.setup')[0] as { owner?: string }).owner).toBeUndefined()
    const hubRow = within(plan).getByTestId('dps-plan-dps-hub')
    expect(hubRow.textContent).toMatch(/DPS hub record lab/)
    expect(hubRow.textContent).toMatch(/update/)
    expect(within(plan).getByText('gateways')).toBeTruthy()
    expect(within(plan).getAllByText('data:,****')).toHaveLength(2)
    expect(within(plan).getByTestId('dps-plan-warning').textContent).toMatch(/loopback/)
    // At 1024 px the diff ran past the page: it scrolls sideways and long values wrap.
    const table = within(plan).getByRole('table', { name: 'Planned changes' })
    expect(within(plan).getByTestId('dps-plan-scroll').contains(table)).toBe(true)
    const willBe = within(hubRow.nextElementSibling as HTMLElement)
      .getAllByRole('cell')
      .at(-1)!
    expect(willBe.style.wordBreak).toBe('break-all')
    expect(screen.getByTestId('dps-review-rotation').textContent).toMatch(/keeps working for 1 h\./)

    await user.click(screen.getByTestId('dps-apply'))
    await waitFor(() => expect(applied).not.toBeNull())
    expect(fake.callsTo('dps.setup')).toHaveLength(2)
    expect(fake.callsTo('dps.setup')[1]).toMatchObject({ dryRun: false })
    expect(applied!.dpsHubId).toBe('hub-rec-1')
  })

  it('shows a failed dry run with its cause and offers no apply', async () => {
    const fake = fakeConsole({
      'dps.setup': () => ({
        ok: false,
        error: {
          code: 'policy_violation',
          message: "the hub's owner claim is sub but this issuer…",
        },
      }),
    })
    renderWithApp(
      <ReviewStep
        values={{ ...SETUP_DEFAULTS, hub: 'lab', group: 'g', certificateChainPem: CHAIN }}
        clients={[]}
        onBack={() => undefined}
        onApplied={() => undefined}
      />,
      fake.api,
    )
    expect((await screen.findByTestId('dps-review-error')).textContent).toMatch(
      /owner claim is sub/,
    )
    expect((screen.getByTestId('dps-apply') as HTMLButtonElement).disabled).toBe(true)
  })
})

describe('DPS wizard', () => {
  it('keeps errors at the fields, then reaches the review from the keyboard', async () => {
    const fake = fakeConsole({
      'clients.list': () => [clientView({ id: 'dps', owner: '1' })],
      'dps.setup': planFor,
    })
    const user = userEvent.setup()
    renderWithApp(<SetupWizard hub="lab" />, fake.api)
    expect((await screen.findByTestId('dps-client-owner')).textContent).toMatch(/Owner 1/)
    await user.click(screen.getByTestId('dps-next-1'))

    const group = await screen.findByTestId('dps-step-group')
    await user.click(within(group).getByTestId('dps-next-2'))
    expect(
      await within(group).findByText('load the manufacturer certificate chain (PEM)'),
    ).toBeTruthy()
    expect(fake.callsTo('dps.setup')).toHaveLength(0)

    await user.type(within(group).getByTestId('dps-group'), 'line-1')
    await user.click(within(group).getByTestId('dps-chain'))
    await user.paste(CHAIN)
    await user.type(within(group).getByTestId('dps-group'), '{Enter}')
    expect(await screen.findByTestId('dps-plan')).toBeTruthy()
    expect(fake.callsTo('dps.setup')[0]).toMatchObject({
      hub: 'lab',
      group: 'line-1',
      dryRun: true,
    })
  })
})

describe('DPS watch', () => {
  const job: JobView = {
    id: 'job-1',
    kind: 'dps.watch',
    hub: 'lab',
    title: 'watch DPS provisioning of 2 device(s)',
    state: 'running',
    counts: { pending: 0, running: 1, done: 0, failed: 1, timeout: 0, cancelled: 0, total: 2 },
    createdAt: 0,
    updatedAt: 0,
    error: null,
    concurrency: 2,
  }
  const steps = (failed: string | null) =>
    ['ownership', 'credentials', 'acl', 'cloud', 'plgdTime'].map((step) => ({
      step,
      state: step === failed ? 'failed' : failed ? 'done' : 'pending',
      coapCode: null,
      message: null,
    }))
  const items: JobItemView[] = [
    {
      seq: 1,
      key: 'dev-a',
      state: 'running',
      detail: { steps: steps(null) },
      message: null,
      rev: 1,
      updatedAt: 0,
    },
    {
      seq: 2,
      key: 'dev-b',
      state: 'failed',
      detail: { steps: steps('credentials') },
      message: 'credentials failed: DPS cannot authenticate at this issuer',
      rev: 2,
      updatedAt: 0,
    },
  ]

  it('starts a watch for pasted ids and shows each device step by step, failures with their cause', async () => {
    const fake = fakeConsole({
      'dps.watch': () => ({ jobId: 'job-1' }),
      'jobs.get': () => job,
      'jobs.items': () => ({ items, rev: 2, job }),
    })
    const user = userEvent.setup()
    renderWithApp(<WatchPanel hub="lab" />, fake.api)
    await user.click(screen.getByTestId('dps-watch-ids'))
    await user.paste('deviceId\ndev-a\ndev-b\n')
    await user.click(screen.getByTestId('dps-watch-start'))
    expect(fake.callsTo('dps.watch')[0]).toMatchObject({
      hub: 'lab',
      clientId: 'dps',
      deviceIds: ['dev-a', 'dev-b'],
      timeoutSeconds: 600,
    })
    const b = await screen.findByTestId('dps-steps-dev-b')
    expect(within(b).getByLabelText('Credentials: failed')).toBeTruthy()
    expect(screen.getByText(/DPS cannot authenticate at this issuer/)).toBeTruthy()
  })

  it('refuses an empty list at the field', async () => {
    const fake = fakeConsole({})
    const user = userEvent.setup()
    renderWithApp(<WatchPanel hub="lab" />, fake.api)
    await user.click(screen.getByTestId('dps-watch-start'))
    expect(await screen.findByText('give at least one device id')).toBeTruthy()
    expect(fake.callsTo('dps.watch')).toHaveLength(0)
  })
})

describe('DPS checklist', () => {
  it("shows each item's state and the YAML to copy", async () => {
    const fake = fakeConsole({
      'dps.checklist': () => ({
        items: [
          {
            id: 'dps-client',
            title: 'A DPS client',
            done: true,
            actor: 'operator',
            detail: 'Client dps: owner 1',
          },
          {
            id: 'authorization-endpoints',
            title: 'certificate-authority trusts this issuer',
            done: null,
            actor: 'hub-admin',
            detail: 'The hub admin adds this entry',
            snippet: 'authorization:\n  endpoints:\n    - authority: https://issuer\n',
          },
          {
            id: 'watch',
            title: 'Watch the devices provision',
            done: null,
            actor: 'operator',
            detail: '`dps watch` reports each step',
          },
        ],
      }),
    })
    renderWithApp(<ChecklistPanel hub="lab" />, fake.api)
    const endpoints = await screen.findByTestId('dps-checklist-authorization-endpoints')
    expect(within(endpoints).getByText('hub admin')).toBeTruthy()
    expect(endpoints.textContent).toContain('- authority: https://issuer')
    expect(within(endpoints).getByRole('button', { name: /Copy the YAML/ })).toBeTruthy()
    expect(within(screen.getByTestId('dps-checklist-dps-client')).getByText('done')).toBeTruthy()
    // The operator's own steps the console cannot see are not the hub admin's.
    const watch = screen.getByTestId('dps-checklist-watch')
    expect(within(watch).getByText('not checked here')).toBeTruthy()
    expect(within(watch).queryByText('hub admin')).toBeNull()
    expect(fake.callsTo('dps.checklist')[0]).toEqual({ hub: 'lab', clientId: 'dps' })
  })
})
