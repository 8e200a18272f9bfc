// @vitest-environment jsdom
import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { ClientsPage } from '../../renderer/src/features/clients/ClientsPage'
import { clientView, fakeConsole, renderWithApp, statusView } from './helpers'

/** The create-client wizard checks what it can at the step where it is typed (issue 17, item 4). */
function setup() {
  const fake = fakeConsole({
    'clients.list': () => [clientView({ id: 'dps' })],
    'status.get': () =>
      statusView({ settings: { ...statusView().settings, maxLifetimeSeconds: 86_400 } }),
  })
  const user = userEvent.setup()
  renderWithApp(<ClientsPage />, fake.api)
  return { fake, user }
}

async function identity(user: ReturnType<typeof userEvent.setup>, id: string) {
  await user.click(await screen.findByTestId('create-client-button'))
  const form = await screen.findByTestId('create-client-form')
  await user.type(within(form).getByTestId('client-id-input'), id)
  await user.type(within(form).getByTestId('client-owner-input'), 'owner-1')
  await user.click(within(form).getByTestId('create-client-next'))
  return form
}

describe('create-client wizard, step by step', () => {
  it('refuses a taken client id on the identity step, before any other step', async () => {
    const { fake, user } = setup()
    const form = await identity(user, 'dps')
    expect(
      await within(form).findByText('a client dps already exists: choose another id'),
    ).toBeTruthy()
    expect(within(form).getByTestId('client-id-input')).toBeTruthy()
    expect(within(form).queryByTestId('client-audiences-input')).toBeNull()
    expect(fake.callsTo('clients.add')).toHaveLength(0)
  })

  it("refuses a lifetime over the issuer's cap on the policy step, showing the cap", async () => {
    const { fake, user } = setup()
    const form = await identity(user, 'gw')
    const lifetime = await within(form).findByTestId('client-max-lifetime-input')
    expect(within(form).getByTestId('client-max-lifetime-input-caps').textContent).toBe(
      'Max issuer: 1 d',
    )
    await user.type(lifetime, '2d')
    await user.click(within(form).getByTestId('create-client-next'))
    expect(
      await within(form).findByText(
        "over the issuer's maximum of 1 d (Settings: maximum lifetime)",
      ),
    ).toBeTruthy()
    expect(within(form).getByTestId('client-max-lifetime-input')).toBeTruthy()
    expect(fake.callsTo('clients.add')).toHaveLength(0)
  })
})
