// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { ParsedInput } from '../../shared/contract/index'
import { ClientsPage } from '../../renderer/src/features/clients/ClientsPage'
import { clientView, fakeConsole, renderWithApp } from './helpers'

function setup() {
  const fake = fakeConsole({
    'clients.list': () => [],
    'clients.add': (input: ParsedInput<'clients.add'>) => ({
      client: clientView({ ...input, maxLifetimeSeconds: input.maxLifetimeSeconds ?? 3600 }),
      clientSecret: input.auth.method === 'client_secret' ? 's3cr3t-value-shown-once' : undefined,
    }),
  })
  const user = userEvent.setup()
  renderWithApp(<ClientsPage />, fake.api)
  return { fake, user }
}

async function openWizard(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId('create-client-button'))
  return screen.findByTestId('create-client-form')
}

describe('create-client wizard', () => {
  it('shows the empty state when there are no clients', async () => {
    setup()
    expect(await screen.findByTestId('clients-empty')).toBeTruthy()
  })

  it('requires an id and an owner before moving on', async () => {
    const { fake, user } = setup()
    const form = await openWizard(user)
    await user.click(within(form).getByTestId('create-client-next'))

    expect(await within(form).findByText('client id is required')).toBeTruthy()
    expect(within(form).getByText('owner is required')).toBeTruthy()
    // Still on the first step, and nothing was sent.
    expect(within(form).getByTestId('client-id-input')).toBeTruthy()
    expect(fake.callsTo('clients.add')).toHaveLength(0)
  })

  it('refuses bad id characters with the contract message', async () => {
    const { user } = setup()
    const form = await openWizard(user)
    await user.type(within(form).getByTestId('client-id-input'), 'bad id!')
    await user.type(within(form).getByTestId('client-owner-input'), 'owner-1')
    await user.click(within(form).getByTestId('create-client-next'))

    expect(
      await within(form).findByText('client id may use letters, digits and . _ ~ - only'),
    ).toBeTruthy()
  })

  it('refuses extra claims that are not JSON', async () => {
    const { user } = setup()
    const form = await openWizard(user)
    await user.type(within(form).getByTestId('client-id-input'), 'dps')
    await user.type(within(form).getByTestId('client-owner-input'), 'owner-1')
    await user.click(within(form).getByTestId('create-client-next'))
    await user.type(await within(form).findByTestId('client-extra-claims-input'), 'nope')
    await user.click(within(form).getByTestId('create-client-next'))

    expect(await within(form).findByText('not valid JSON')).toBeTruthy()
  })

  it('asks private_key_jwt clients for a JWKS or its URI', async () => {
    const { fake, user } = setup()
    const form = await openWizard(user)
    await user.type(within(form).getByTestId('client-id-input'), 'device-1')
    await user.click(within(form).getByTestId('client-auth-private_key_jwt'))
    await user.type(within(form).getByTestId('client-owner-input'), 'owner-1')
    await user.click(within(form).getByTestId('create-client-next'))
    await user.click(await within(form).findByTestId('create-client-next'))
    await user.click(await within(form).findByTestId('create-client-submit'))

    expect(
      await within(form).findByText('paste the client’s public JWKS or give its JWKS URI'),
    ).toBeTruthy()
    expect(fake.callsTo('clients.add')).toHaveLength(0)
  })

  it('lets a user-assertion client go without an owner and sends its authorities', async () => {
    const { fake, user } = setup()
    const form = await openWizard(user)
    await user.type(within(form).getByTestId('client-id-input'), 'coap-gw')
    await user.click(within(form).getByTestId('client-auth-user_assertion'))
    await user.click(within(form).getByTestId('create-client-next'))
    await user.click(await within(form).findByTestId('create-client-next'))
    await user.click(await within(form).findByTestId('create-client-submit'))
    expect(await within(form).findByText('give at least one trusted authority URL')).toBeTruthy()

    await user.type(
      within(form).getByTestId('client-authorities-input'),
      'https://auth.example.com, https://auth2.example.com',
    )
    await user.click(within(form).getByTestId('create-client-submit'))
    await waitFor(() => expect(fake.callsTo('clients.add')).toHaveLength(1))
    expect(fake.callsTo('clients.add')[0]).toMatchObject({
      id: 'coap-gw',
      owner: '',
      auth: {
        method: 'user_assertion',
        authorities: [
          { authority: 'https://auth.example.com' },
          { authority: 'https://auth2.example.com' },
        ],
      },
    })
    // No secret for this method: a success notification instead of the secret dialog.
    await waitFor(() => expect(screen.queryByTestId('create-client-form')).toBeNull())
    expect(screen.queryByTestId('secret-dialog')).toBeNull()
  })

  it('creates the client and shows the secret once, closable only after "I saved it"', async () => {
    const { fake, user } = setup()
    const form = await openWizard(user)
    await user.type(within(form).getByTestId('client-id-input'), 'dps-station-1')
    await user.type(within(form).getByTestId('client-owner-input'), 'owner-1')
    await user.type(within(form).getByTestId('client-allowed-owners-input'), 'o2, o3')
    await user.click(within(form).getByTestId('create-client-next'))

    await user.type(await within(form).findByTestId('client-audiences-input'), 'hub-a, hub-b hub-c')
    await user.type(within(form).getByTestId('client-scopes-input'), 'r:* w:*')
    await user.type(within(form).getByTestId('client-max-lifetime-input'), '600')
    await user.click(within(form).getByTestId('client-allow-device-id'))
    await user.type(within(form).getByTestId('client-extra-claims-input'), '{{"tenant": "acme"}')
    await user.click(within(form).getByTestId('create-client-next'))
    await user.click(await within(form).findByTestId('create-client-submit'))

    const dialog = await screen.findByTestId('secret-dialog')
    expect(fake.callsTo('clients.add')).toEqual([
      {
        id: 'dps-station-1',
        owner: 'owner-1',
        allowedOwners: ['o2', 'o3'],
        audiences: ['hub-a', 'hub-b', 'hub-c'],
        scopes: ['r:*', 'w:*'],
        maxLifetimeSeconds: 600,
        allowDeviceId: true,
        tokenType: 'JWT',
        extraClaims: { tenant: 'acme' },
        auth: { method: 'client_secret' },
      },
    ])
    expect(within(dialog).getByTestId('secret-display').textContent).toBe('s3cr3t-value-shown-once')
    expect(screen.queryByTestId('create-client-form')).toBeNull()

    // Escape does not close it, and Done is disabled until the checkbox is ticked.
    await user.keyboard('{Escape}')
    expect(screen.getByTestId('secret-dialog')).toBeTruthy()
    const done = within(dialog).getByTestId('secret-done') as HTMLButtonElement
    expect(done.disabled).toBe(true)
    await user.click(done)
    expect(screen.getByTestId('secret-dialog')).toBeTruthy()
    expect(within(dialog).queryByRole('button', { name: /close/i })).toBeNull()

    await user.click(within(dialog).getByTestId('secret-saved-checkbox'))
    expect(done.disabled).toBe(false)
    await user.click(done)
    await waitFor(() => expect(screen.queryByTestId('secret-dialog')).toBeNull())
  })

  it('closes the secret dialog with Escape once "I saved it" is ticked', async () => {
    const { user } = setup()
    const form = await openWizard(user)
    await user.type(within(form).getByTestId('client-id-input'), 'svc')
    await user.type(within(form).getByTestId('client-owner-input'), 'owner-1')
    await user.keyboard('{Enter}')
    await within(form).findByTestId('client-audiences-input')
    await user.keyboard('{Enter}')
    await user.click(await within(form).findByTestId('create-client-submit'))

    const dialog = await screen.findByTestId('secret-dialog')
    await user.click(within(dialog).getByTestId('secret-saved-checkbox'))
    await user.keyboard('{Escape}')
    await waitFor(() => expect(screen.queryByTestId('secret-dialog')).toBeNull())
  })
})
