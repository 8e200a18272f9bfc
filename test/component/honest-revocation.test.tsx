// @vitest-environment jsdom
import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { InspectResult, TokenRecordView } from '../../shared/contract/index'
import { InspectorPage } from '../../renderer/src/features/inspector/InspectorPage'
import { DashboardPage } from '../../renderer/src/features/status/DashboardPage'
import { TokensPage } from '../../renderer/src/features/tokens/TokensPage'
import { Shell } from '../../renderer/src/shell/Shell'
import { clientView, fakeConsole, fakeJwt, NOW, renderWithApp, statusView } from './helpers'

// Without --station hubs validate offline with the JWKS and never learn of a revocation.
const laptop = statusView()
const station = statusView({ issuer: { ...statusView().issuer, station: true } })

const token: TokenRecordView = {
  id: 't1',
  name: '',
  owner: 'owner-1',
  issuedAt: NOW - 60,
  audience: [],
  scope: [],
  expiration: NOW + 3600,
  clientId: 'dps',
  subject: 'dps',
  originalTokenClaims: null,
  blacklisted: null,
}

async function revokeDialogText(status: typeof laptop): Promise<string> {
  const fake = fakeConsole({
    'status.get': () => status,
    'clients.list': () => [clientView()],
    'tokens.list': () => ({ items: [token], total: 1 }),
  })
  const user = userEvent.setup()
  const view = renderWithApp(<TokensPage />, fake.api)
  await user.click(await screen.findByTestId('revoke-token-t1'))
  const text = (await screen.findByTestId('revoke-effect')).textContent ?? ''
  view.unmount()
  return text
}

describe('honest revocation', () => {
  it('the revoke dialog says hubs still accept the token in laptop mode', async () => {
    const text = await revokeDialogText(laptop)
    expect(text).toContain('hubs will still accept them until they expire')
    expect(text).toContain('serve --station')
    expect(text).not.toContain('refuse them')
  })

  it('the revoke dialog says hubs refuse the token in station mode', async () => {
    const text = await revokeDialogText(station)
    expect(text).toContain('refuse them from now on')
    expect(text).not.toContain('still accept')
  })

  it('the Inspector does not count an unseen revocation as a hub rejection in laptop mode', async () => {
    const result: InspectResult = {
      header: { alg: 'ES256' },
      payload: { sub: 'dps', jti: 't1' },
      verification: { checkedAgainst: 'this issuer', valid: true },
      hubRejections: [
        'revoked here, but hubs only see revocations from a station (serve --station)',
      ],
    }
    const fake = fakeConsole({ 'status.get': () => laptop, 'tokens.inspect': () => result })
    const user = userEvent.setup()
    renderWithApp(<InspectorPage />, fake.api)
    await user.click(screen.getByTestId('inspector-input'))
    await user.paste(fakeJwt({ alg: 'ES256' }, { sub: 'dps' }))
    await user.click(screen.getByTestId('inspector-submit'))
    expect((await screen.findByTestId('inspector-revoked-unseen')).textContent).toContain(
      'a hub would still accept it until it expires (revocation is only seen in station mode)',
    )
    expect(screen.getByTestId('inspector-accepted')).toBeTruthy()
    expect(screen.queryByTestId('inspector-rejections')).toBeNull()
  })

  it('shows the mode in the header and on the dashboard', async () => {
    const fake = fakeConsole({ 'status.get': () => laptop })
    renderWithApp(<Shell />, fake.api)
    expect((await screen.findByTestId('issuer-mode')).textContent).toBe('laptop')
    const badge = await screen.findByTestId('dashboard-mode')
    expect(badge.getAttribute('data-mode')).toBe('laptop')
    expect(screen.getByTestId('dashboard-mode-description').textContent).toContain(
      'never see a revocation',
    )
  })

  it('shows station mode on the dashboard', async () => {
    const fake = fakeConsole({ 'status.get': () => station })
    const { container } = renderWithApp(<DashboardPage />, fake.api)
    const badge = await within(container).findByTestId('dashboard-mode')
    expect(badge.textContent).toBe('station mode')
  })
})
