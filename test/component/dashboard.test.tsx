// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import type { ParsedInput, StatusView } from '../../shared/contract/index'
import { DashboardPage } from '../../renderer/src/features/status/DashboardPage'
import { fakeConsole, renderWithApp, statusView } from './helpers'

function setup(status: StatusView = statusView(), skewSeconds = 0) {
  const fake = fakeConsole({
    'status.get': () => status,
    'clock.skew': ({ url }: ParsedInput<'clock.skew'>) => ({ url, skewSeconds, roundTripMs: 12 }),
  })
  const user = userEvent.setup()
  renderWithApp(<DashboardPage />, fake.api)
  return { fake, user }
}

describe('dashboard', () => {
  it('shows the issuer URLs, active key, counts and warnings', async () => {
    setup(
      statusView({
        warnings: [{ code: 'vault_fallback', message: 'secrets are sealed with a passphrase' }],
      }),
    )
    expect((await screen.findByTestId('dashboard-issuer-url')).textContent).toBe(
      'https://127.0.0.1:8443/m2m-oauth-server',
    )
    expect(screen.getByTestId('dashboard-jwks-uri').textContent).toContain('jwks.json')
    expect(screen.getByTestId('dashboard-active-key').textContent).toContain('k-active')
    expect(screen.getByTestId('count-clients').textContent).toBe('1')
    expect(screen.getByTestId('warning-vault_fallback').textContent).toContain('passphrase')
  })

  it('shows failed client authentications and flags blocked addresses', async () => {
    const since = 1_700_000_000
    setup(
      statusView({
        authentication: { failures: 23, throttled: 4, blocks: 2, lastFailureAt: since + 60, since },
      }),
    )
    const card = await screen.findByTestId('dashboard-authentication')
    expect(card.getAttribute('data-attacked')).toBe('true')
    expect(screen.getByTestId('count-auth-failures').textContent).toBe('23')
    expect(screen.getByTestId('count-auth-blocks').textContent).toBe('2')
    expect(screen.getByTestId('count-auth-throttled').textContent).toBe('4')
    expect(screen.getByTestId('authentication-blocked-badge').textContent).toContain('blocked')
  })

  it('shows no alarm while no address was blocked', async () => {
    setup(
      statusView({
        authentication: { failures: 1, throttled: 0, blocks: 0, lastFailureAt: null, since: 1 },
      }),
    )
    const card = await screen.findByTestId('dashboard-authentication')
    expect(card.getAttribute('data-attacked')).toBeNull()
    expect(screen.getByTestId('count-auth-failures').textContent).toBe('1')
    expect(screen.queryByTestId('authentication-blocked-badge')).toBeNull()
  })

  it('copies the issuer URL', async () => {
    const { user } = setup()
    // user-event installs its own clipboard stub on setup().
    await user.click(await screen.findByTestId('copy-issuer-url'))
    await waitFor(() => expect(screen.getByTestId('copy-issuer-url').textContent).toBe('Copied'))
    expect(await navigator.clipboard.readText()).toBe('https://127.0.0.1:8443/m2m-oauth-server')
  })

  it('downloads the CA certificate as a PEM file', async () => {
    const { user } = setup()
    const createObjectURL = vi.fn(() => 'blob:ca')
    const revokeObjectURL = vi.fn()
    Object.assign(URL, { createObjectURL, revokeObjectURL })
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      expect(this.download).toBe('plgd-m2m-console-ca.pem')
    })
    await user.click(await screen.findByTestId('download-ca-cert'))
    expect(click).toHaveBeenCalledOnce()
    const blob = (createObjectURL.mock.calls[0] as unknown as [Blob])[0]
    expect(blob).toBeInstanceOf(Blob)
    expect(blob.size).toBe(statusView().caCertPem!.length)
    click.mockRestore()
  })

  it('warns when the hub clock differs by a second or more', async () => {
    const { fake, user } = setup(statusView(), -1.5)
    await user.type(await screen.findByTestId('clock-skew-url'), 'https://hub.example.com')
    await user.click(screen.getByTestId('clock-skew-submit'))
    const result = await screen.findByTestId('clock-skew-result')
    expect(result.getAttribute('data-warning')).toBe('true')
    expect(result.textContent).toContain('1.50 s behind')
    expect(fake.callsTo('clock.skew')).toEqual([{ url: 'https://hub.example.com' }])
  })

  it('is calm when the clocks agree within a second', async () => {
    const { user } = setup(statusView(), 0.2)
    await user.type(await screen.findByTestId('clock-skew-url'), 'https://hub.example.com')
    await user.click(screen.getByTestId('clock-skew-submit'))
    const result = await screen.findByTestId('clock-skew-result')
    expect(result.getAttribute('data-warning')).toBeNull()
  })

  it('refuses a clock-skew URL that is not a URL', async () => {
    const { fake, user } = setup()
    await user.type(await screen.findByTestId('clock-skew-url'), 'hub')
    await user.click(screen.getByTestId('clock-skew-submit'))
    expect(await screen.findByText('enter a full URL (https://…)')).toBeTruthy()
    expect(fake.callsTo('clock.skew')).toHaveLength(0)
  })
})
