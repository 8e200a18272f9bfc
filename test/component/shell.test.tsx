// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import type { ClientView } from '../../shared/contract/index'
import { COLOR_SCHEME_STORAGE_KEY } from '../../renderer/src/shell/AppProviders'
import { Shell } from '../../renderer/src/shell/Shell'
import { clientView, fakeConsole, renderWithApp, statusView, type Handlers } from './helpers'

function setup(handlers: Handlers = {}) {
  const fake = fakeConsole({
    'status.get': () => statusView(),
    'clients.list': () => [clientView({ id: 'dps' })],
    ...handlers,
  })
  const user = userEvent.setup()
  renderWithApp(<Shell />, fake.api)
  return { fake, user }
}

describe('shell', () => {
  it('navigates with the sidebar links and marks the current page', async () => {
    const { user } = setup()
    await screen.findByTestId('dashboard-issuer-url')
    expect(document.documentElement.getAttribute('data-app-state')).toBe('ready')
    for (const page of ['dashboard', 'clients', 'tokens', 'inspector', 'keys', 'audit']) {
      expect(screen.getByTestId(`nav-${page}`).getAttribute('href')).toBe(`#/${page}`)
    }
    await user.click(screen.getByTestId('nav-clients'))
    expect(await screen.findByTestId('client-row-dps')).toBeTruthy()
    expect(screen.getByTestId('nav-clients').getAttribute('aria-current')).toBe('page')
  })

  it('toggles the colour scheme and keeps the choice in localStorage', async () => {
    const { user } = setup()
    const toggle = await screen.findByTestId('theme-toggle')
    const before = document.documentElement.getAttribute('data-mantine-color-scheme')
    await user.click(toggle)
    const after = before === 'dark' ? 'light' : 'dark'
    await waitFor(() =>
      expect(document.documentElement.getAttribute('data-mantine-color-scheme')).toBe(after),
    )
    expect(localStorage.getItem(COLOR_SCHEME_STORAGE_KEY)).toBe(after)
  })

  it('refreshes the clients when main reports a change', async () => {
    let clients = [clientView({ id: 'dps' })]
    const { fake, user } = setup({ 'clients.list': () => clients })
    await user.click(await screen.findByTestId('nav-clients'))
    await screen.findByTestId('client-row-dps')

    clients = [...clients, clientView({ id: 'gw' })]
    fake.emit({ type: 'client.changed', data: { id: 'gw' } })
    expect(await screen.findByTestId('client-row-gw')).toBeTruthy()
  })

  it('contains a page that fails to render; the rest keeps working', async () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const { user } = setup({ 'clients.list': () => [{ id: 'broken' } as ClientView] })
    await user.click(await screen.findByTestId('nav-clients'))
    expect(await screen.findByTestId('error-boundary-retry')).toBeTruthy()
    expect(await screen.findByTestId('notification-error')).toBeTruthy()

    await user.click(screen.getByTestId('nav-inspector'))
    expect(await screen.findByTestId('inspector-input')).toBeTruthy()
    quiet.mockRestore()
  })
})
