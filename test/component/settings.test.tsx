// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import type {
  ParsedInput,
  SettingsUpdateView,
  SettingsView,
  StatusView,
} from '../../shared/contract/index'
import { Shell } from '../../renderer/src/shell/Shell'
import { DashboardPage } from '../../renderer/src/features/status/DashboardPage'
import { fakeConsole, renderWithApp, statusView } from './helpers'

/** main's settings.update, in memory: applies the patch and reports restart-only changes. */
function setup(status: StatusView = statusView()) {
  let settings: SettingsView = status.settings
  const fake = fakeConsole({
    'status.get': () => ({ ...status, settings }),
    'settings.update': (patch: ParsedInput<'settings.update'>): SettingsUpdateView => {
      const restartNeeded = (['listenHost', 'port', 'publicHost', 'station'] as const).filter(
        (k) => patch[k] !== undefined && patch[k] !== settings[k],
      )
      settings = { ...settings, ...patch }
      return { ...settings, effects: { restartNeeded, authority: null } }
    },
  })
  const user = userEvent.setup()
  window.location.hash = '#/settings'
  renderWithApp(<Shell />, fake.api)
  return { fake, user }
}

afterEach(() => {
  window.location.hash = ''
})

async function field(testId: string): Promise<HTMLInputElement> {
  // The page loads lazily: the first test pays for its import on a busy machine.
  return (await screen.findByTestId(testId, {}, { timeout: 5000 })) as HTMLInputElement
}

async function retype(user: ReturnType<typeof userEvent.setup>, testId: string, text: string) {
  const input = await field(testId)
  await user.clear(input)
  if (text !== '') await user.type(input, text)
}

describe('settings page', () => {
  it('is in the navigation and shows what only the CLI could change before', async () => {
    setup(
      statusView({
        settings: {
          ...statusView().settings,
          iatBackdateSeconds: 5,
          trustedAuthorities: [{ authority: 'https://auth.example.com' }],
        },
      }),
    )
    expect(await screen.findByTestId('nav-settings')).toBeTruthy()
    expect((await field('settings-port')).value).toBe('8443')
    expect((await field('settings-listen-host')).value).toBe('127.0.0.1')
    expect((await field('settings-public-host')).value).toBe('')
    expect((await field('settings-station')).checked).toBe(false)
    expect((await field('settings-max-lifetime')).value).toBe(String(7 * 24 * 3600))
    expect((await field('settings-iat-backdate')).value).toBe('5')
    expect((await field('settings-owner-claim')).value).toBe('https://plgd.dev/owner')
    expect((await field('settings-device-id-claim')).value).toBe('https://plgd.dev/deviceId')
    expect((await field('settings-trusted-authorities')).value).toBe('https://auth.example.com')
    expect((await field('settings-client-app-url')).value).toBe('http://localhost:8080')
    expect((await field('settings-job-concurrency')).value).toBe('16')
  })

  it('saves only what changed, and keeps a listed authority’s CA', async () => {
    const caPem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
    const { fake, user } = setup(
      statusView({
        settings: {
          ...statusView().settings,
          trustedAuthorities: [{ authority: 'https://auth.example.com', caPem }],
        },
      }),
    )
    await retype(user, 'settings-iat-backdate', '5')
    const authorities = await field('settings-trusted-authorities')
    await user.type(authorities, '{enter}https://second.example.com')
    await user.click(screen.getByTestId('settings-save'))
    await waitFor(() =>
      expect(fake.callsTo('settings.update')).toEqual([
        {
          iatBackdateSeconds: 5,
          trustedAuthorities: [
            { authority: 'https://auth.example.com', caPem },
            { authority: 'https://second.example.com' },
          ],
        },
      ]),
    )
    // Claims and backdate apply at once: no restart asked for.
    expect(screen.queryByTestId('settings-restart')).toBeNull()
  })

  it('refuses a bad host, a negative port and a LAN listen address without a public host', async () => {
    const { fake, user } = setup()
    await retype(user, 'settings-public-host', 'bad host!')
    await retype(user, 'settings-port', '-5')
    await user.click(screen.getByTestId('settings-save'))
    const form = screen.getByTestId('settings-form')
    expect(await within(form).findByText(/a host name \(letters, digits/)).toBeTruthy()
    expect(within(form).getByText(/a port from 1 to 65535/)).toBeTruthy()

    await retype(user, 'settings-trusted-authorities', 'http://plain.example.com')
    await user.click(screen.getByTestId('settings-save'))
    expect(await within(form).findByText('must be an https:// URL')).toBeTruthy()

    await retype(user, 'settings-trusted-authorities', '')
    await retype(user, 'settings-public-host', '')
    await retype(user, 'settings-port', '8443')
    await retype(user, 'settings-listen-host', '0.0.0.0')
    await user.click(screen.getByTestId('settings-save'))
    expect(
      await within(form).findByText(
        'a LAN-exposed issuer needs the host name hubs use to reach it',
      ),
    ).toBeTruthy()
    expect(fake.callsTo('settings.update')).toHaveLength(0)
  })

  it('warns before the issuer URL changes: what breaks and what the hub admin updates', async () => {
    const { fake, user } = setup()
    await retype(user, 'settings-port', '9443')
    await user.click(screen.getByTestId('settings-save'))
    const dialog = await screen.findByTestId('settings-authority-confirm')
    expect(dialog.textContent).toContain('https://127.0.0.1:8443/m2m-oauth-server')
    expect(dialog.textContent).toContain('https://127.0.0.1:9443/m2m-oauth-server')
    expect(dialog.textContent).toContain('authorization.endpoints[].authority')
    expect(dialog.textContent).toContain('DPS provider')
    expect(dialog.textContent).toMatch(/tokens already issued .* fail/)
    expect(fake.callsTo('settings.update')).toHaveLength(0)

    await user.click(within(dialog).getByRole('button', { name: 'Change the issuer URL' }))
    await waitFor(() => expect(fake.callsTo('settings.update')).toEqual([{ port: 9443 }]))
    const restart = await screen.findByTestId('settings-restart')
    expect(restart.textContent).toContain('port')
    expect(restart.textContent).toMatch(/stop `serve`.*quit the desktop app/)
  })

  it('switches to station mode, which needs a restart', async () => {
    const { fake, user } = setup()
    await user.click(await field('settings-station'))
    await user.click(screen.getByTestId('settings-save'))
    await waitFor(() => expect(fake.callsTo('settings.update')).toEqual([{ station: true }]))
    expect(screen.queryByTestId('settings-authority-confirm')).toBeNull()
    expect((await screen.findByTestId('settings-restart')).textContent).toContain('station')
  })
})

describe('dashboard: reachability', () => {
  function dashboard(status: StatusView) {
    const fake = fakeConsole({ 'status.get': () => status })
    renderWithApp(<DashboardPage />, fake.api)
  }

  it('says when the issuer is advertised on loopback only', async () => {
    dashboard(statusView())
    const note = await screen.findByTestId('loopback-note')
    expect(note.textContent).toContain('127.0.0.1')
    expect(note.textContent).toMatch(/other machines cannot reach it/)
  })

  it('says nothing when hubs can reach the advertised host', async () => {
    const status = statusView({
      issuer: { ...statusView().issuer, issuer: 'https://station.local:8443/m2m-oauth-server' },
    })
    dashboard(status)
    await screen.findByTestId('dashboard-issuer-url')
    expect(screen.queryByTestId('loopback-note')).toBeNull()
  })
})
