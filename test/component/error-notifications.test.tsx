// @vitest-environment jsdom
import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../../shared/errors'
import { ApiError } from '../../renderer/src/api/call-api'
import { DashboardPage } from '../../renderer/src/features/status/DashboardPage'
import { notify, titleFor } from '../../renderer/src/lib/notify'
import { Shell } from '../../renderer/src/shell/Shell'
import { clientView, fakeConsole, renderWithApp, statusView } from './helpers'

/** Errors where they belong (issue 17, item 4): titled in words, out of the way, and short-lived. */
describe('error notifications', () => {
  it.each(ERROR_CODES)('titles %s in words, never with the code itself', (code) => {
    expect(titleFor(code)).not.toBe(code)
    expect(titleFor(code)).not.toMatch(/_/)
  })

  it('shows a passphrase refusal as words, top centre below the header, away from dialog actions', async () => {
    renderWithApp(<div />, fakeConsole({}).api)
    act(() => notify.error(new ApiError('vault_passphrase_required', 'the passphrase is wrong')))
    const toast = await screen.findByTestId('notification-error')
    expect(within(toast).getByText('Wrong or missing passphrase')).toBeTruthy()
    expect(toast.textContent).not.toMatch(/vault_passphrase/)
    const root = document.querySelector('[data-position]')
    expect(root?.getAttribute('data-position')).toBe('top-center')
  })

  it('titles a dashboard warning in words, not with its code', async () => {
    const fake = fakeConsole({
      'status.get': () =>
        statusView({
          warnings: [{ code: 'vault_passphrase', message: 'No OS keychain: …' }],
        }),
    })
    renderWithApp(<DashboardPage />, fake.api)
    const warning = await screen.findByTestId('warning-vault_passphrase')
    expect(warning.textContent).toMatch(/Secrets protected by a passphrase only/)
    expect(warning.textContent).not.toMatch(/^vault_passphrase/)
  })

  it('closes an error when the page changes, and keeps a confirmation', async () => {
    const fake = fakeConsole({
      'status.get': () => statusView(),
      'clients.list': () => [clientView({ id: 'dps' })],
    })
    const user = userEvent.setup()
    renderWithApp(<Shell />, fake.api)
    await screen.findByTestId('dashboard-issuer-url')
    act(() => {
      notify.error(new ApiError('not_found', 'no client x'))
      notify.success('saved')
    })
    await screen.findByTestId('notification-error')
    await user.click(screen.getByTestId('nav-clients'))
    await waitFor(() => expect(screen.queryByTestId('notification-error')).toBeNull())
    expect(screen.getByTestId('notification-success')).toBeTruthy()
  })
})
