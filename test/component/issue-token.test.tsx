// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { IssuedToken, ParsedInput } from '../../shared/contract/index'
import { IssueTokenDialog } from '../../renderer/src/features/tokens/IssueTokenDialog'
import { clientView, fakeConsole, fakeJwt, renderWithApp, statusView } from './helpers'

function issued(input: ParsedInput<'tokens.issue'>): IssuedToken {
  const now = Math.floor(Date.now() / 1000)
  const lifetime = input.lifetimeSeconds ?? 3600
  return {
    accessToken: fakeJwt(
      { alg: 'ES256', typ: 'JWT', kid: 'k-active' },
      { sub: input.clientId, iat: now, exp: now + lifetime, 'https://plgd.dev/owner': 'owner-1' },
    ),
    tokenType: 'Bearer',
    expiresIn: lifetime,
    expiresAt: now + lifetime,
    scope: 'r:* w:*',
    jti: 'jti-1',
  }
}

function setup(clients = [clientView({ id: 'dps', maxLifetimeSeconds: 3600 })]) {
  const fake = fakeConsole({
    'clients.list': () => clients,
    'status.get': () => statusView(),
    'tokens.issue': issued,
  })
  const user = userEvent.setup()
  renderWithApp(
    <IssueTokenDialog opened onClose={() => undefined} defaultClientId="dps" />,
    fake.api,
  )
  return { fake, user }
}

describe('issue-token dialog', () => {
  it('shows the client maximum and refuses a longer lifetime', async () => {
    const { fake, user } = setup()
    const form = await screen.findByTestId('issue-token-form')
    expect(within(form).getByText(/At most 3600 s \(1 h\)/)).toBeTruthy()

    await user.type(within(form).getByTestId('issue-lifetime'), '7200')
    await user.click(within(form).getByTestId('issue-submit'))

    expect(await within(form).findByText('at most 3600 s (1 h) for dps')).toBeTruthy()
    expect(fake.callsTo('tokens.issue')).toHaveLength(0)
  })

  it('uses the issuer cap when it is below the client maximum', async () => {
    const fake = fakeConsole({
      'clients.list': () => [clientView({ id: 'dps', maxLifetimeSeconds: 86_400 })],
      'status.get': () =>
        statusView({ settings: { ...statusView().settings, maxLifetimeSeconds: 600 } }),
    })
    const user = userEvent.setup()
    renderWithApp(
      <IssueTokenDialog opened onClose={() => undefined} defaultClientId="dps" />,
      fake.api,
    )
    const form = await screen.findByTestId('issue-token-form')
    await user.type(within(form).getByTestId('issue-lifetime'), '601')
    await user.click(within(form).getByTestId('issue-submit'))
    expect(await within(form).findByText('at most 600 s (10 min) for dps')).toBeTruthy()
  })

  it('issues the token and shows it with a decoded view and a live countdown', async () => {
    const { fake, user } = setup()
    const form = await screen.findByTestId('issue-token-form')
    await user.type(within(form).getByTestId('issue-lifetime'), '600')
    await user.type(within(form).getByTestId('issue-audiences'), 'hub-a, hub-b')
    await user.type(within(form).getByTestId('issue-name'), 'station 7')
    await user.click(within(form).getByTestId('issue-submit'))

    const result = await screen.findByTestId('token-result')
    expect(fake.callsTo('tokens.issue')).toEqual([
      {
        clientId: 'dps',
        audiences: ['hub-a', 'hub-b'],
        scopes: [],
        lifetimeSeconds: 600,
        name: 'station 7',
      },
    ])
    const token = within(result).getByTestId('token-value').textContent ?? ''
    expect(token.split('.')).toHaveLength(3)
    expect(within(result).getByTestId('copy-token')).toBeTruthy()
    expect(JSON.parse(within(result).getByTestId('token-header-json').textContent!)).toEqual({
      alg: 'ES256',
      typ: 'JWT',
      kid: 'k-active',
    })
    expect(JSON.parse(within(result).getByTestId('token-payload-json').textContent!)).toMatchObject(
      { sub: 'dps', 'https://plgd.dev/owner': 'owner-1' },
    )

    const countdown = within(result).getByTestId('token-countdown')
    expect(countdown.textContent).toMatch(/^expires in (10 min|9 min \d+ s)/)
    const first = Number(countdown.getAttribute('data-seconds-left'))
    expect(first).toBeGreaterThan(590)
    // It counts down by itself.
    await waitFor(
      () => expect(Number(countdown.getAttribute('data-seconds-left'))).toBeLessThan(first),
      { timeout: 2500 },
    )
  })

  it('asks for a device id and an owner only when the client allows them', async () => {
    const fake = fakeConsole({
      'clients.list': () => [
        clientView({ id: 'dps' }),
        clientView({ id: 'gw', allowDeviceId: true, allowedOwners: ['owner-2'] }),
      ],
      'status.get': () => statusView(),
      'tokens.issue': issued,
    })
    const user = userEvent.setup()
    renderWithApp(
      <IssueTokenDialog opened onClose={() => undefined} defaultClientId="dps" />,
      fake.api,
    )
    const form = await screen.findByTestId('issue-token-form')
    expect(within(form).queryByTestId('issue-device-id')).toBeNull()
    expect(within(form).queryByTestId('issue-owner')).toBeNull()

    await user.click(within(form).getByTestId('issue-client-select'))
    await user.click(await screen.findByRole('option', { name: /^gw/ }))
    await user.type(await within(form).findByTestId('issue-device-id'), 'device-42')
    await user.click(within(form).getByTestId('issue-owner'))
    await user.click(await screen.findByRole('option', { name: 'owner-2' }))
    await user.click(within(form).getByTestId('issue-submit'))

    await screen.findByTestId('token-result')
    expect(fake.callsTo('tokens.issue')[0]).toMatchObject({
      clientId: 'gw',
      deviceId: 'device-42',
      owner: 'owner-2',
    })
  })
})
