// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { ParsedInput } from '../../shared/contract/index'
import { Shell } from '../../renderer/src/shell/Shell'
import { fakeConsole, renderWithApp, statusView } from './helpers'

const appState = () => document.documentElement.getAttribute('data-app-state')

function setup(vault: 'keychain' | 'passphrase' = 'keychain') {
  const fake = fakeConsole({
    'status.get': () => statusView({ setupCompleted: false, vault: { mode: vault } }),
    'setup.complete': (input: ParsedInput<'setup.complete'>) =>
      statusView({
        setupCompleted: true,
        vault: { mode: vault },
        issuer: {
          ...statusView().issuer,
          issuer: `https://${input.publicHost ?? '127.0.0.1'}:${input.port ?? 8443}/m2m-oauth-server`,
        },
      }),
  })
  const user = userEvent.setup()
  renderWithApp(<Shell />, fake.api)
  return { fake, user }
}

describe('first run', () => {
  it('is shown until setup is complete, and the app reports ready', async () => {
    setup()
    const form = await screen.findByTestId('first-run-form')
    expect(form).toBeTruthy()
    await waitFor(() => expect(appState()).toBe('ready'))
    expect(screen.getByTestId('first-run-vault').getAttribute('data-vault-mode')).toBe('keychain')
    expect(screen.queryByTestId('first-run-passphrase-warning')).toBeNull()
    expect(screen.queryByTestId('nav-clients')).toBeNull()
  })

  it('warns that a passphrase vault makes secrets depend on the passphrase', async () => {
    setup('passphrase')
    const warning = await screen.findByTestId('first-run-passphrase-warning')
    expect(warning.textContent).toMatch(/depend on it/)
  })

  it('needs a host name to expose the issuer on the LAN', async () => {
    const { fake, user } = setup()
    const form = await screen.findByTestId('first-run-form')
    await user.click(within(form).getByTestId('first-run-expose-lan'))
    await user.click(within(form).getByTestId('first-run-submit'))

    expect(
      await within(form).findByText(
        'a LAN-exposed issuer needs the host name hubs use to reach it',
      ),
    ).toBeTruthy()
    expect(fake.callsTo('setup.complete')).toHaveLength(0)
  })

  it('refuses a host name with a space and a negative port, naming each field', async () => {
    const { fake, user } = setup()
    const form = await screen.findByTestId('first-run-form')
    await user.type(within(form).getByTestId('first-run-public-host'), 'my station.local')
    const port = within(form).getByTestId('first-run-port')
    await user.clear(port)
    await user.type(port, '-5')
    await user.click(within(form).getByTestId('first-run-submit'))

    expect(await within(form).findByText(/a host name \(letters, digits/)).toBeTruthy()
    expect(within(form).getByText(/a port from 1 to 65535/)).toBeTruthy()
    // The minus is kept as typed, not silently dropped into port 5.
    expect((port as HTMLInputElement).value).toBe('-5')
    expect(fake.callsTo('setup.complete')).toHaveLength(0)
  })

  it('says the running issuer moves only after a restart, and how to restart it', async () => {
    // As main answers: the stored settings change, the running issuer keeps its URL.
    const fake = fakeConsole({
      'status.get': () => statusView({ setupCompleted: false }),
      'setup.complete': (input: ParsedInput<'setup.complete'>) =>
        statusView({ settings: { ...statusView().settings, publicHost: input.publicHost } }),
    })
    const user = userEvent.setup()
    renderWithApp(<Shell />, fake.api)
    const form = await screen.findByTestId('first-run-form')
    await user.type(within(form).getByTestId('first-run-public-host'), 'station.local')
    await user.click(within(form).getByTestId('first-run-submit'))
    const note = await screen.findByTestId('notification-success')
    expect(note.textContent).toContain('still runs at https://127.0.0.1:8443/m2m-oauth-server')
    expect(note.textContent).toContain('https://station.local:8443/m2m-oauth-server')
    expect(note.textContent).toMatch(/stop `serve`.*start it again.*quit the desktop app/)
  })

  it('completes setup and lands on the dashboard', async () => {
    const { fake, user } = setup()
    const form = await screen.findByTestId('first-run-form')
    await user.type(within(form).getByTestId('first-run-public-host'), 'station.local')
    const port = within(form).getByTestId('first-run-port')
    await user.clear(port)
    await user.type(port, '9443')
    await user.click(within(form).getByTestId('first-run-expose-lan'))
    await user.click(within(form).getByRole('radio', { name: 'ES384' }))
    await user.click(within(form).getByTestId('first-run-submit'))

    await waitFor(() =>
      expect(fake.callsTo('setup.complete')).toEqual([
        { publicHost: 'station.local', port: 9443, exposeOnLan: true, alg: 'ES384' },
      ]),
    )
    expect((await screen.findByTestId('dashboard-issuer-url')).textContent).toBe(
      'https://station.local:9443/m2m-oauth-server',
    )
    expect(screen.getByTestId('nav-clients')).toBeTruthy()
    expect(appState()).toBe('ready')
  })

  it('marks the app as errored when the first status.get fails', async () => {
    const fake = fakeConsole({
      'status.get': () => ({
        ok: false,
        error: { code: 'vault_locked', message: 'the vault is locked' },
      }),
    })
    renderWithApp(<Shell />, fake.api)
    expect(await screen.findByTestId('status-failed')).toBeTruthy()
    await waitFor(() => expect(appState()).toBe('error'))
    // The reason is shown as a notification, the one place errors appear.
    const notification = await screen.findByTestId('notification-error')
    expect(notification.textContent).toContain('the vault is locked')
    expect(notification.textContent).toContain('Vault locked')
  })
})
