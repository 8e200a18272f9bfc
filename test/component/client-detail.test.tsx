// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it } from 'vitest'
import type { ClientView, ParsedInput } from '../../shared/contract/index'
import { ClientsPage } from '../../renderer/src/features/clients/ClientsPage'
import { clientView, fakeConsole, renderWithApp } from './helpers'

function setup() {
  let client: ClientView | null = clientView({ id: 'dps' })
  const fake = fakeConsole({
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
    const grace = await screen.findByTestId('rotate-secret-grace')
    await user.clear(grace)
    await user.type(grace, '300')
    await user.click(screen.getByTestId('rotate-secret-submit'))

    const dialog = await screen.findByTestId('secret-dialog')
    expect(within(dialog).getByTestId('secret-display').textContent).toBe('new-secret-300')
    expect(fake.callsTo('clients.rotateSecret')).toEqual([{ id: 'dps', graceSeconds: 300 }])
    await user.keyboard('{Escape}')
    expect(screen.getByTestId('secret-dialog')).toBeTruthy()
  })

  it('disables and enables the client', async () => {
    const { fake, user } = setup()
    await user.click(await screen.findByTestId('toggle-disabled-button'))
    await waitFor(() => expect(screen.getByTestId('client-status').textContent).toBe('disabled'))
    expect(screen.getByTestId('toggle-disabled-button').textContent).toBe('Enable')
    expect(fake.callsTo('clients.setDisabled')).toEqual([{ id: 'dps', disabled: true }])
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
