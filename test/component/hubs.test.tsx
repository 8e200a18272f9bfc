// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { HubCheckResult, HubView, ParsedInput } from '../../shared/contract/index'
import { HubSelect } from '../../renderer/src/features/hubs/HubSelect'
import { HubsPage } from '../../renderer/src/features/hubs/HubsPage'
import { clientView, fakeConsole, NOW, renderWithApp } from './helpers'

const CA = '-----BEGIN CERTIFICATE-----\nMIIBhub\n-----END CERTIFICATE-----\n'
const SNIPPET =
  'authorization:\n  endpoints:\n    - authority: https://console.lan:8443/m2m-oauth-server\n'

function hubView(overrides: Partial<HubView> = {}): HubView {
  return {
    name: 'lab',
    url: 'https://api.lab.example',
    hubId: 'd03a1bb4-0a77-428c-b78c-1c46efe6a38e',
    ownerClaim: 'https://plgd.dev/owner',
    deviceIdClaim: '',
    coapGateway: 'coaps+tcp://api.lab.example:5684',
    certificateAuthority: '',
    authority: '',
    dpsUrl: 'https://dps.lab.example',
    snippetServiceUrl: null,
    dpsDeviceEndpoint: 'coaps+tcp://dps.lab.example:15684',
    m2mOauthClient: null,
    hubCaPem: null,
    caPem: null,
    auth: { kind: 'client', clientId: 'console' },
    overrides: {},
    discoveredAt: NOW,
    createdAt: NOW,
    ...overrides,
  }
}

const FAILED_CHECK: HubCheckResult = {
  ok: false,
  checks: [
    { name: 'tls', ok: true, detail: 'certificate for api.lab.example, trusted' },
    {
      name: 'auth',
      ok: false,
      detail: 'the hub refused the console bearer (HTTP 401): the hub does not trust this issuer',
      fix: 'the hub admin adds this issuer to authorization.endpoints',
      snippet: SNIPPET,
    },
  ],
}

function setup(initial: HubView[] = []) {
  let hubs = initial
  const fake = fakeConsole({
    'hubs.list': () => hubs,
    'clients.list': () => [clientView({ id: 'console', owner: '1' })],
    'hubs.add': (input: ParsedInput<'hubs.add'>) => {
      const hub = hubView({
        name: input.name,
        url: input.url,
        caPem: input.caPem ?? null,
        auth:
          input.auth.kind === 'client'
            ? { kind: 'client', clientId: input.auth.clientId }
            : { kind: 'token', expiresAt: null },
      })
      hubs = [...hubs, hub]
      return hub
    },
    'hubs.update': (input: ParsedInput<'hubs.update'>) => {
      const hub = hubView({ overrides: input.overrides ?? {} })
      hubs = [hub]
      return hub
    },
    'hubs.remove': () => {
      hubs = []
      return { removed: true as const }
    },
    'hubs.check': () => FAILED_CHECK,
  })
  const user = userEvent.setup()
  renderWithApp(<HubsPage />, fake.api)
  return { fake, user }
}

describe('hubs page', () => {
  it('adds a hub with a CA file and a client of ours, then shows what was discovered', async () => {
    const { fake, user } = setup()
    expect(await screen.findByTestId('hubs-empty')).toBeTruthy()
    await user.click(screen.getByTestId('add-hub-button'))
    const form = await screen.findByTestId('add-hub-form')
    await user.click(within(form).getByTestId('hub-name-input'))
    await user.paste('lab')
    await user.click(within(form).getByTestId('hub-url-input'))
    await user.paste('https://api.lab.example')
    const file = new File([CA], 'hub-ca.pem', { type: 'application/x-pem-file' })
    const input = form.querySelector('input[type="file"]') as HTMLInputElement
    await user.upload(input, file)
    await waitFor(() => expect(within(form).getByText('A CA certificate is loaded')).toBeTruthy())
    await user.click(within(form).getByTestId('hub-client-select'))
    await user.click(await screen.findByRole('option', { name: /console/ }))
    await user.click(within(form).getByTestId('add-hub-submit'))

    await waitFor(() => expect(fake.callsTo('hubs.add')).toHaveLength(1))
    expect(fake.callsTo('hubs.add')[0]).toMatchObject({
      name: 'lab',
      url: 'https://api.lab.example',
      caPem: CA,
      auth: { kind: 'client', clientId: 'console' },
    })
    const details = await screen.findByTestId('hub-details')
    expect(within(details).getByText('d03a1bb4-0a77-428c-b78c-1c46efe6a38e')).toBeTruthy()
    expect(within(details).getByText('coaps+tcp://dps.lab.example:15684')).toBeTruthy()
  })

  it('keeps errors at the field: a bad name, a missing URL, no client, no token', async () => {
    const { fake, user } = setup()
    await user.click(await screen.findByTestId('add-hub-button'))
    const form = await screen.findByTestId('add-hub-form')
    await user.click(within(form).getByTestId('hub-name-input'))
    await user.paste('bad name')
    await user.click(within(form).getByTestId('add-hub-submit'))
    expect(await within(form).findByText(/letters, digits and \. _ - only/)).toBeTruthy()
    expect(within(form).getByText('choose a client of this issuer')).toBeTruthy()
    await user.click(within(form).getByText('A pasted token'))
    await user.click(within(form).getByTestId('add-hub-submit'))
    expect(await within(form).findByText('paste a token for the hub')).toBeTruthy()
    expect(fake.callsTo('hubs.add')).toHaveLength(0)
  })

  it('sends a pasted token from a password field', async () => {
    const { fake, user } = setup()
    await user.click(await screen.findByTestId('add-hub-button'))
    const form = await screen.findByTestId('add-hub-form')
    await user.click(within(form).getByTestId('hub-name-input'))
    await user.paste('lab')
    await user.click(within(form).getByTestId('hub-url-input'))
    await user.paste('https://api.lab.example')
    await user.click(within(form).getByText('A pasted token'))
    const token = within(form).getByTestId('hub-token-input')
    expect(token.getAttribute('type')).toBe('password')
    await user.type(token, 'aaa.bbb.ccc')
    await user.click(within(form).getByTestId('add-hub-submit'))
    await waitFor(() => expect(fake.callsTo('hubs.add')).toHaveLength(1))
    expect(fake.callsTo('hubs.add')[0]).toMatchObject({
      auth: { kind: 'token', token: 'aaa.bbb.ccc' },
    })
  })

  it('check connection lists each step with its fix and a copy button for the YAML', async () => {
    const { user } = setup([hubView()])
    await user.click(await screen.findByText('lab'))
    await user.click(await screen.findByTestId('hub-check-button'))
    const results = await screen.findByTestId('hub-check-results')
    expect(screen.getByTestId('hub-check-verdict').textContent).toMatch(/failed/)
    const auth = within(results).getByTestId('hub-check-auth')
    expect(auth.getAttribute('data-ok')).toBe('false')
    expect(within(auth).getByTestId('hub-check-fix').textContent).toMatch(
      /authorization\.endpoints/,
    )
    expect(within(auth).getByTestId('hub-check-snippet').textContent).toBe(SNIPPET)
    expect(within(auth).getByRole('button', { name: /Copy auth YAML snippet/ })).toBeTruthy()
    expect(within(results).getByTestId('hub-check-tls').getAttribute('data-ok')).toBe('true')
  })

  it('saves overrides (empty fields dropped) and removes after confirmation', async () => {
    const { fake, user } = setup([hubView()])
    await user.click(await screen.findByText('lab'))
    const dps = await screen.findByTestId('hub-override-dpsUrl')
    await user.type(dps, 'not a url')
    await user.click(screen.getByTestId('hub-overrides-save'))
    expect(await screen.findByText(/enter a full URL/)).toBeTruthy()
    await user.clear(dps)
    await user.type(dps, 'https://dps.lan:9100')
    await user.click(screen.getByTestId('hub-overrides-save'))
    await waitFor(() => expect(fake.callsTo('hubs.update')).toHaveLength(1))
    expect(fake.callsTo('hubs.update')[0]).toEqual({
      name: 'lab',
      overrides: { dpsUrl: 'https://dps.lan:9100' },
      rediscover: false,
    })
    await user.click(screen.getByTestId('hub-remove'))
    const dialog = await screen.findByTestId('remove-hub-dialog')
    await user.click(within(dialog).getByRole('button', { name: 'Remove' }))
    await waitFor(() => expect(fake.callsTo('hubs.remove')).toEqual([{ name: 'lab' }]))
  })
})

describe('HubSelect', () => {
  it('links to the Hubs page when there is no hub', async () => {
    const fake = fakeConsole({ 'hubs.list': () => [] })
    renderWithApp(<HubSelect value={null} onChange={() => undefined} />, fake.api)
    const link = await screen.findByTestId('hub-select-add')
    expect(link.getAttribute('href')).toBe('#/hubs')
  })

  it('chooses the only hub at once', async () => {
    const fake = fakeConsole({ 'hubs.list': () => [hubView()] })
    const chosen: (string | null)[] = []
    renderWithApp(<HubSelect value={null} onChange={(v) => chosen.push(v)} />, fake.api)
    await waitFor(() => expect(chosen).toEqual(['lab']))
  })
})
