// @vitest-environment jsdom
import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { HubView, LocalStatus } from '../../shared/contract/index'
import { useAppEvents } from '../../renderer/src/api/events'
import { LocalPage } from '../../renderer/src/features/local/LocalPage'
import {
  clientView,
  fakeConsole,
  localStatusView,
  renderWithApp,
  statusView,
  type Handlers,
} from './helpers'

/** The page with main's events wired, as the shell has them. */
function Page() {
  useAppEvents()
  return <LocalPage />
}

function setup(status: () => LocalStatus, more: Handlers = {}) {
  const fake = fakeConsole({
    'status.get': () => statusView(),
    'local.status': () => status(),
    'clients.list': () => [clientView({ id: 'console', owner: 'owner-1' })],
    'hubs.list': () => [{ name: 'lab' } as HubView],
    ...more,
  })
  const user = userEvent.setup()
  renderWithApp(<Page />, fake.api)
  return { fake, user }
}

const notInitialised = (overrides: Partial<LocalStatus> = {}) =>
  localStatusView({
    initialized: false,
    owner: null,
    ours: null,
    problems: [
      {
        problem: 'not_initialized',
        message: 'client-application is not initialised: initialise it below (Owner).',
      },
    ],
    ...overrides,
  })

// Selects and typing on a shared machine: more than the default 5 s.
describe('Bench: the client-application card', { timeout: 30_000 }, () => {
  it('shows each problem with the fix it names, and blocks discovery with the reason', async () => {
    setup(() =>
      localStatusView({
        running: false,
        initialized: false,
        mode: null,
        owner: null,
        ours: null,
        version: null,
        problems: [
          {
            problem: 'not_running',
            message:
              'nothing answers at http://localhost:8080: start client-application or set its URL (clientApp.url)',
          },
        ],
      }),
    )
    const problem = await screen.findByTestId('local-problem-not_running')
    expect(problem.textContent).toContain('Not running')
    expect(problem.textContent).toContain('start client-application or set its URL')
    // Not running: no initialise form, and discovery says why it cannot start.
    expect(screen.queryByTestId('local-init-form')).toBeNull()
    expect(screen.getByTestId('local-discover-start').hasAttribute('disabled')).toBe(true)
    expect(screen.getByTestId('local-discover-blocked').textContent).toContain('not running')
  })

  it('PSK: the owner is required; a filled form sends local.init with it', async () => {
    let status = notInitialised()
    const { fake, user } = setup(() => status, {
      'local.init': (input) => {
        status = localStatusView({ owner: input.owner })
        return status
      },
    })
    expect((await screen.findByTestId('local-problem-not_initialized')).textContent).toContain(
      'initialise it below',
    )
    const form = screen.getByTestId('local-init-form')
    // PSK mode asks for no client and no hub.
    expect(within(form).queryByTestId('local-init-client')).toBeNull()
    expect(within(form).queryByTestId('hub-select')).toBeNull()
    await user.click(within(form).getByTestId('local-init-submit'))
    await waitFor(() => expect(within(form).getByText('the owner is required')).toBeTruthy())
    expect(fake.callsTo('local.init')).toEqual([])

    await user.type(within(form).getByTestId('local-init-owner'), 'bench-owner')
    await user.click(within(form).getByTestId('local-init-submit'))
    await waitFor(() =>
      expect(fake.callsTo('local.init')).toEqual([{ owner: 'bench-owner', force: false }]),
    )
    await waitFor(() =>
      expect(screen.getByTestId('local-initialized').textContent).toBe('initialised'),
    )
    expect(screen.getByTestId('local-owner').textContent).toContain('bench-owner')
  })

  it('X509 with remote provisioning: client and hub are required, then sent', async () => {
    const x509 = notInitialised({
      mode: 'X509',
      remoteProvisioning: {
        mode: 'USER_AGENT',
        authority: 'https://127.0.0.1:8443/m2m-oauth-server',
        hubId: 'hub-1',
        coapGateway: 'coaps+tcp://127.0.0.1:5684',
        certificateAuthority: 'https://127.0.0.1:9443',
        jwtOwnerClaim: 'https://plgd.dev/owner',
      },
    })
    // Two hubs: HubSelect does not choose one by itself.
    const { fake, user } = setup(() => x509, {
      'hubs.list': () => [{ name: 'lab' } as HubView, { name: 'site' } as HubView],
      'local.init': () => localStatusView({ mode: 'X509' }),
    })
    const form = await screen.findByTestId('local-init-form')
    await user.type(within(form).getByTestId('local-init-owner'), 'owner-1')
    await user.click(within(form).getByTestId('local-init-submit'))
    await waitFor(() =>
      expect(within(form).getByText(/choose the client whose tokens/)).toBeTruthy(),
    )
    expect(within(form).getByTestId('local-init-hub-error').textContent).toContain(
      'certificate-authority signs the CSR',
    )
    expect(fake.callsTo('local.init')).toEqual([])

    await user.click(within(form).getByTestId('local-init-client'))
    await user.click(await screen.findByRole('option', { name: 'console (owner owner-1)' }))
    await user.click(within(form).getByTestId('hub-select'))
    await user.click(await screen.findByRole('option', { name: 'site' }))
    await user.click(within(form).getByTestId('local-init-submit'))
    await waitFor(() =>
      expect(fake.callsTo('local.init')).toEqual([
        { owner: 'owner-1', clientId: 'console', hub: 'site', force: false },
      ]),
    )
  })

  it('another owner: force resets first, only after a confirmation', async () => {
    const other = localStatusView({
      owner: 'someone-else',
      ours: null,
      problems: [
        {
          problem: 'other_owner',
          message: 'initialised by someone-else: reset it (Force) or use that owner',
        },
      ],
    })
    const { fake, user } = setup(() => other, { 'local.init': () => localStatusView() })
    const form = await screen.findByTestId('local-init-form')
    await user.type(within(form).getByTestId('local-init-owner'), 'owner-1')
    await user.click(within(form).getByTestId('local-init-force'))
    await user.click(within(form).getByTestId('local-init-submit'))
    const confirm = await screen.findByTestId('local-init-force-dialog')
    expect(confirm.textContent).toContain('someone-else')
    expect(fake.callsTo('local.init')).toEqual([])
    await user.click(within(confirm).getByTestId('local-init-force-dialog-confirm'))
    await waitFor(() =>
      expect(fake.callsTo('local.init')).toEqual([{ owner: 'owner-1', force: true }]),
    )
  })

  it('Reset asks first; local.changed reads the state again', async () => {
    let status = localStatusView()
    const { fake, user } = setup(() => status, {
      'local.reset': () => {
        status = notInitialised()
        return status
      },
    })
    await user.click(await screen.findByTestId('local-reset'))
    const confirm = await screen.findByTestId('local-reset-dialog')
    expect(fake.callsTo('local.reset')).toEqual([])
    await user.click(within(confirm).getByTestId('local-reset-dialog-confirm'))
    await waitFor(() => expect(fake.callsTo('local.reset')).toEqual([{}]))
    await waitFor(() =>
      expect(screen.getByTestId('local-initialized').textContent).toBe('not initialised'),
    )

    // Initialised elsewhere (the CLI): the event refreshes the card.
    status = localStatusView({ owner: 'from-cli' })
    const before = fake.callsTo('local.status').length
    act(() => fake.emit({ type: 'local.changed', data: { url: 'http://localhost:8080' } }))
    await waitFor(() => expect(fake.callsTo('local.status').length).toBeGreaterThan(before))
    await waitFor(() => expect(screen.getByTestId('local-owner').textContent).toContain('from-cli'))
  })

  it('a session URL goes with every call; Save makes it the setting', async () => {
    const { fake, user } = setup(() => localStatusView({ url: 'http://10.0.0.5:8080' }), {
      'settings.update': (input) => ({
        ...statusView().settings,
        clientAppUrl: input.clientAppUrl ?? '',
        effects: { restartNeeded: [], authority: null },
      }),
    })
    const url = await screen.findByTestId('local-url')
    await user.clear(url)
    await user.type(url, 'not a url')
    await user.click(screen.getByRole('button', { name: 'Use for this session' }))
    expect(await screen.findByText(/must look like http:\/\/localhost:8080/)).toBeTruthy()

    await user.clear(url)
    await user.type(url, 'http://10.0.0.5:8080{Enter}')
    await waitFor(() =>
      expect(fake.callsTo('local.status')).toContainEqual({ clientAppUrl: 'http://10.0.0.5:8080' }),
    )
    await user.click(screen.getByTestId('local-url-save'))
    await waitFor(() =>
      expect(fake.callsTo('settings.update')).toEqual([{ clientAppUrl: 'http://10.0.0.5:8080' }]),
    )
  })
})
