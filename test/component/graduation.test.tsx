// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { PlgdGraduation } from '../../shared/contract/index'
import { DashboardPage } from '../../renderer/src/features/status/DashboardPage'
import { fakeConsole, renderWithApp, statusView, type Handlers } from './helpers'

const REPORT: PlgdGraduation = {
  files: [
    {
      path: 'config.yaml',
      mediaType: 'application/yaml',
      content: 'clients: []\n',
      containsSecret: false,
    },
    {
      path: 'secrets/clients/dps',
      mediaType: 'text/plain',
      content: 'fresh-secret',
      containsSecret: true,
    },
  ],
  clients: [
    { id: 'dps', outcome: 'rotated', reason: 'a new secret; the old one works 1 d', notInPlgd: [] },
    {
      id: 'svc',
      outcome: 'skipped',
      reason: 'private_key_jwt has no plgd equivalent',
      notInPlgd: ['auth.jwks'],
    },
  ],
  key: { kid: 'kid-1', plgdKid: 'kid-1', kidKept: true, privateKeyIncluded: false },
  notes: ['deploy config.yaml with the secrets mounted at /secrets'],
}

function setup(extra: Handlers = {}) {
  const fake = fakeConsole({
    'status.get': () => statusView(),
    'export.plgd': () => REPORT,
    ...extra,
  })
  const user = userEvent.setup()
  renderWithApp(<DashboardPage />, fake.api)
  return { fake, user }
}

async function openGraduation(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId('issuer-export-menu'))
  await user.click(await screen.findByTestId('export-plgd-item'))
  return screen.findByTestId('graduation-dialog')
}

describe('move to plgd m2m-oauth-server', () => {
  it('asks for confirmation first, then sends the grace period without the private key', async () => {
    const { fake, user } = setup()
    const dialog = await openGraduation(user)
    expect(within(dialog).getByTestId('graduation-confirm').textContent).toContain(
      'Every secret client gets a new secret',
    )
    expect(fake.callsTo('export.plgd')).toEqual([])
    await user.click(within(dialog).getByTestId('graduation-grace-preset-3600'))
    await user.click(within(dialog).getByTestId('graduation-submit'))
    await within(dialog).findByTestId('graduation-report')
    expect(fake.callsTo('export.plgd')).toEqual([{ graceSeconds: 3600, includePrivateKey: false }])
  })

  it('defaults the grace period to one day; cancel calls nothing', async () => {
    const { fake, user } = setup()
    let dialog = await openGraduation(user)
    await user.click(within(dialog).getByText('Cancel'))
    await waitFor(() => expect(screen.queryByTestId('graduation-confirm')).toBeNull())
    expect(fake.callsTo('export.plgd')).toEqual([])
    dialog = await openGraduation(user)
    await user.click(within(dialog).getByTestId('graduation-submit'))
    await within(dialog).findByTestId('graduation-report')
    expect(fake.callsTo('export.plgd')).toEqual([
      { graceSeconds: 86_400, includePrivateKey: false },
    ])
  })

  it('reports each client, marks the secret files and points to the CLI for the key', async () => {
    const { user } = setup()
    const dialog = await openGraduation(user)
    await user.click(within(dialog).getByTestId('graduation-submit'))
    const report = await within(dialog).findByTestId('graduation-report')
    expect(within(report).getByTestId('graduated-dps').textContent).toContain('rotated')
    const svc = within(report).getByTestId('graduated-svc').textContent
    expect(svc).toContain('skipped')
    expect(svc).toContain('private_key_jwt has no plgd equivalent')
    expect(svc).toContain('auth.jwks')
    expect(within(report).getByTestId('graduation-kid').textContent).toContain('same kid')
    const rows = within(report).getAllByTestId('export-file')
    expect(rows.map((r) => r.getAttribute('data-path'))).toEqual([
      'config.yaml',
      'secrets/clients/dps',
    ])
    expect(within(rows[0]!).queryByTestId('export-file-secret')).toBeNull()
    expect(within(rows[1]!).getByTestId('export-file-secret')).toBeTruthy()
    expect(report.textContent).toContain('shown this once')
    expect(within(report).getByTestId('graduation-cli').textContent).toBe(
      'plgd-m2m-console export plgd --out DIR --include-private-key',
    )
    // Secret files are offered for download, never shown.
    expect(report.textContent).not.toContain('fresh-secret')
  })

  it("shows the method's error and stays on the confirmation", async () => {
    const { user } = setup({
      'export.plgd': () => ({
        ok: false,
        error: { code: 'conflict', message: 'graduation is not built yet' },
      }),
    })
    const dialog = await openGraduation(user)
    await user.click(within(dialog).getByTestId('graduation-submit'))
    const toast = await screen.findByTestId('notification-error')
    expect(toast.textContent).toContain('graduation is not built yet')
    expect(within(dialog).getByTestId('graduation-confirm')).toBeTruthy()
  })
})
