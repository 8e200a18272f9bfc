// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it } from 'vitest'
import type { ClientView, ParsedInput } from '../../shared/contract/index'
import { ClientsPage } from '../../renderer/src/features/clients/ClientsPage'
import { clientView, fakeConsole, NOW, renderWithApp, statusView } from './helpers'

function setup(initial: Partial<ClientView> = {}) {
  let client: ClientView | null = clientView({ id: 'dps', ...initial })
  const fake = fakeConsole({
    'status.get': () => statusView(),
    'tokens.list': () => ({ items: [], total: 2 }),
    'clients.update': (input: ParsedInput<'clients.update'>) => {
      const { id: _id, ...patch } = input
      const before = client!
      client = { ...client!, ...patch }
      const changes = Object.keys(patch).map((field) => ({
        field,
        from: before[field as keyof ClientView],
        to: patch[field as keyof typeof patch],
      }))
      return { client, changes }
    },
    'clients.endGrace': () => {
      client = { ...client!, secrets: client!.secrets.filter((s) => s.expiresAt === null) }
      return { client, ended: 1 }
    },
    'clients.testCredentials': ({ clientSecret }: ParsedInput<'clients.testCredentials'>) =>
      clientSecret === 'right'
        ? {
            ok: true,
            tokenEndpoint: 'https://127.0.0.1:9443/oauth/token',
            attempts: [{ style: 'client_secret_basic' as const, status: 200 }],
            claims: {
              sub: 'dps',
              owner: 'owner-1',
              audiences: [],
              scope: 'r:* w:*',
              expiresInSeconds: 3600,
            },
          }
        : {
            ok: false,
            tokenEndpoint: 'https://127.0.0.1:9443/oauth/token',
            attempts: [
              { style: 'client_secret_basic' as const, status: 401, error: 'invalid_client' },
              { style: 'client_secret_post' as const, status: 401, error: 'invalid_client' },
            ],
            explanation: 'the secret does not match any secret of dps that still works',
          },
    'clients.list': () => (client ? [client] : []),
    'clients.get': () => client ?? { ok: false, error: { code: 'not_found', message: 'gone' } },
    'clients.rotateSecret': ({ graceSeconds }: ParsedInput<'clients.rotateSecret'>) => ({
      client: client!,
      clientSecret: `new-secret-${graceSeconds}`,
    }),
    'clients.setDisabled': ({ disabled }: ParsedInput<'clients.setDisabled'>) => {
      client = { ...client!, disabled }
      return client
    },
    'clients.remove': () => {
      client = null
      return { removed: true as const }
    },
  })
  const user = userEvent.setup()
  renderWithApp(<ClientsPage />, fake.api)
  return { fake, user }
}

beforeEach(() => {
  window.location.hash = '#/clients/dps'
})

describe('client detail', () => {
  it('rotates the secret with a grace period and shows the new one once', async () => {
    const { fake, user } = setup()
    await user.click(await screen.findByTestId('rotate-secret-button'))
    await user.click(await screen.findByTestId('rotate-secret-grace-preset-600'))
    await user.click(screen.getByTestId('rotate-secret-submit'))

    const dialog = await screen.findByTestId('secret-dialog')
    expect(within(dialog).getByTestId('secret-display').textContent).toBe('new-secret-600')
    expect(fake.callsTo('clients.rotateSecret')).toEqual([{ id: 'dps', graceSeconds: 600 }])
    await user.keyboard('{Escape}')
    expect(screen.getByTestId('secret-dialog')).toBeTruthy()
  })

  it('suggests an hour of grace, since a service such as DPS fails at once with 0', async () => {
    const { fake, user } = setup()
    await user.click(await screen.findByTestId('rotate-secret-button'))
    const grace = await screen.findByTestId('rotate-secret-grace')
    expect(grace.getAttribute('data-seconds')).toBe('3600')
    expect(screen.queryByTestId('rotate-secret-zero-grace')).toBeNull()
    await user.clear(grace)
    await user.type(grace, '0')
    expect((await screen.findByTestId('rotate-secret-zero-grace')).textContent).toMatch(/DPS/)
    await user.click(screen.getByTestId('rotate-secret-submit'))
    await waitFor(() =>
      expect(fake.callsTo('clients.rotateSecret')).toEqual([{ id: 'dps', graceSeconds: 0 }]),
    )
  })

  it('shows secret fingerprints and ends a grace period early', async () => {
    const { fake, user } = setup({
      secrets: [
        { createdAt: NOW - 60, expiresAt: null, fingerprint: 'aaaa1111' },
        { createdAt: NOW - 3600, expiresAt: NOW + 3000, fingerprint: 'bbbb2222' },
      ],
    })
    const prints = await screen.findAllByTestId('secret-fingerprint')
    expect(prints.map((p) => p.textContent)).toEqual(['aaaa1111', 'bbbb2222'])
    const until = screen.getAllByTestId('secret-valid-until').map((c) => c.textContent)
    expect(until[0]).toBe('current')
    expect(until[1]).toMatch(/^grace until/)
    await user.click(screen.getByTestId('end-grace-button'))
    await waitFor(() => expect(fake.callsTo('clients.endGrace')).toEqual([{ id: 'dps' }]))
    await waitFor(() => expect(screen.getAllByTestId('secret-fingerprint')).toHaveLength(1))
    expect(screen.queryByTestId('end-grace-button')).toBeNull()
  })

  it('does not show a disabled client’s secret as current', async () => {
    setup({ disabled: true })
    const cell = await screen.findByTestId('secret-valid-until')
    expect(cell.textContent).not.toBe('current')
    expect(cell.textContent).toMatch(/disabled/)
    expect(screen.getByTestId('client-secrets-disabled')).toBeTruthy()
  })

  it('edits owner, allowed owners, lifetime and device id without a new secret', async () => {
    const { fake, user } = setup()
    await user.click(await screen.findByTestId('edit-client-button'))
    const dialog = await screen.findByTestId('edit-client-dialog')
    const owner = within(dialog).getByTestId('edit-owner-input')
    await user.clear(owner)
    await user.click(within(dialog).getByTestId('edit-client-submit'))
    expect(await within(dialog).findByText('owner is required')).toBeTruthy()
    expect(fake.callsTo('clients.update')).toHaveLength(0)

    await user.type(owner, 'owner-2')
    await user.type(within(dialog).getByTestId('edit-allowed-owners-input'), 'owner-3 owner-4')
    expect((await within(dialog).findByTestId('edit-max-lifetime-input-caps')).textContent).toMatch(
      /issuer/,
    )
    await user.click(within(dialog).getByTestId('edit-max-lifetime-input-preset-900'))
    await user.click(within(dialog).getByTestId('edit-allow-device-id'))
    await user.click(within(dialog).getByTestId('edit-client-submit'))

    await waitFor(() =>
      expect(fake.callsTo('clients.update')).toEqual([
        {
          id: 'dps',
          owner: 'owner-2',
          allowedOwners: ['owner-3', 'owner-4'],
          maxLifetimeSeconds: 900,
          allowDeviceId: true,
        },
      ]),
    )
    expect(fake.callsTo('clients.rotateSecret')).toHaveLength(0)
    await waitFor(() => expect(screen.queryByTestId('edit-client-dialog')).toBeNull())
  })

  it('asks before disabling, says what happens to live tokens and can revoke them', async () => {
    const { fake, user } = setup()
    await user.click(await screen.findByTestId('toggle-disabled-button'))
    const dialog = await screen.findByTestId('disable-client-dialog')
    expect(fake.callsTo('clients.setDisabled')).toHaveLength(0)
    expect((await within(dialog).findByTestId('disable-live-tokens')).textContent).toMatch(
      /2 live token\(s\) keep working/,
    )
    expect(within(dialog).getByTestId('disable-revocation-reach').textContent).toMatch(
      /not a station/,
    )
    await user.click(within(dialog).getByTestId('disable-revoke-tokens'))
    await user.click(within(dialog).getByTestId('disable-client-dialog-confirm'))
    await waitFor(() => expect(screen.getByTestId('client-status').textContent).toBe('disabled'))
    expect(fake.callsTo('clients.setDisabled')).toEqual([
      { id: 'dps', disabled: true, revokeTokens: true },
    ])
    expect(fake.callsTo('tokens.list')[0]).toEqual({ clientId: 'dps', status: 'active', limit: 1 })
  })

  it('tests pasted credentials against the token endpoint and explains a refusal', async () => {
    const { fake, user } = setup()
    await user.click(await screen.findByTestId('test-credentials-button'))
    const dialog = await screen.findByTestId('test-credentials-dialog')
    expect((within(dialog).getByTestId('test-credentials-id') as HTMLInputElement).value).toBe(
      'dps',
    )
    await user.type(within(dialog).getByTestId('test-credentials-secret'), 'wrong')
    await user.click(within(dialog).getByTestId('test-credentials-submit'))
    const refused = await within(dialog).findByTestId('test-credentials-refused')
    expect(within(refused).getByTestId('test-credentials-explanation').textContent).toMatch(
      /does not match/,
    )
    expect(refused.textContent).toMatch(/client_secret_basic.*401.*client_secret_post.*401/)

    const secret = within(dialog).getByTestId('test-credentials-secret')
    await user.clear(secret)
    await user.type(secret, 'right')
    await user.click(within(dialog).getByTestId('test-credentials-submit'))
    const ok = await within(dialog).findByTestId('test-credentials-ok')
    expect(ok.textContent).toMatch(/owner-1/)
    expect(fake.callsTo('clients.testCredentials')).toEqual([
      { clientId: 'dps', clientSecret: 'wrong' },
      { clientId: 'dps', clientSecret: 'right' },
    ])
  })

  it('tests credentials from the clients list too, for an id pasted from a service', async () => {
    const { fake, user } = setup()
    window.location.hash = '#/clients'
    await user.click(await screen.findByTestId('clients-test-credentials-button'))
    const dialog = await screen.findByTestId('test-credentials-dialog')
    await user.click(within(dialog).getByTestId('test-credentials-submit'))
    expect(await within(dialog).findByText('paste the client id')).toBeTruthy()
    await user.type(within(dialog).getByTestId('test-credentials-id'), 'dps')
    await user.type(within(dialog).getByTestId('test-credentials-secret'), 'right')
    await user.click(within(dialog).getByTestId('test-credentials-submit'))
    expect(await within(dialog).findByTestId('test-credentials-ok')).toBeTruthy()
    expect(fake.callsTo('clients.testCredentials')).toEqual([
      { clientId: 'dps', clientSecret: 'right' },
    ])
  })

  it('disables and enables the client', async () => {
    const { fake, user } = setup()
    await user.click(await screen.findByTestId('toggle-disabled-button'))
    await user.click(await screen.findByTestId('disable-client-dialog-confirm'))
    await waitFor(() => expect(screen.getByTestId('client-status').textContent).toBe('disabled'))
    expect(screen.getByTestId('toggle-disabled-button').textContent).toBe('Enable')
    expect(fake.callsTo('clients.setDisabled')).toEqual([
      { id: 'dps', disabled: true, revokeTokens: false },
    ])
    await user.click(screen.getByTestId('toggle-disabled-button'))
    await waitFor(() => expect(screen.getByTestId('client-status').textContent).toBe('enabled'))
  })

  it('deletes only once the client id is typed', async () => {
    const { fake, user } = setup()
    await user.click(await screen.findByTestId('delete-client-button'))
    const dialog = await screen.findByTestId('delete-client-dialog')
    const confirm = within(dialog).getByTestId('delete-client-dialog-confirm') as HTMLButtonElement
    expect(confirm.disabled).toBe(true)
    await user.type(within(dialog).getByTestId('delete-confirm-input'), 'dp')
    expect(confirm.disabled).toBe(true)
    await user.keyboard('{Enter}')
    expect(fake.callsTo('clients.remove')).toHaveLength(0)

    await user.type(within(dialog).getByTestId('delete-confirm-input'), 's')
    expect(confirm.disabled).toBe(false)
    await user.click(confirm)
    await waitFor(() => expect(fake.callsTo('clients.remove')).toEqual([{ id: 'dps' }]))
    // Back to the (now empty) list.
    expect(await screen.findByTestId('clients-empty')).toBeTruthy()
    expect(window.location.hash).toBe('#/clients')
  })
})
