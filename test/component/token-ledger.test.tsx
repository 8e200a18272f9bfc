// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import type { ParsedInput, TokenRecordView } from '../../shared/contract/index'
import { TokensPage } from '../../renderer/src/features/tokens/TokensPage'
import { formatTime } from '../../renderer/src/lib/format'
import { clientView, fakeConsole, NOW, renderWithApp, statusView } from './helpers'

// Each drawn row formats its two times: counting the calls counts the rows drawn.
vi.mock('../../renderer/src/lib/format', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../renderer/src/lib/format')>()
  return { ...original, formatTime: vi.fn(original.formatTime) }
})

function record(id: string, overrides: Partial<TokenRecordView> = {}): TokenRecordView {
  return {
    id,
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
    ...overrides,
  }
}

function setup(items: TokenRecordView[], total = items.length) {
  const revoked = new Set<string>()
  const fake = fakeConsole({
    'clients.list': () => [clientView({ id: 'dps' }), clientView({ id: 'gw' })],
    'status.get': () => statusView(),
    'tokens.list': () => ({
      items: items.map((t) =>
        revoked.has(t.id) ? { ...t, blacklisted: { flag: true, timestamp: NOW } } : t,
      ),
      total,
    }),
    'tokens.revoke': ({ ids }: ParsedInput<'tokens.revoke'>) => {
      ids.forEach((id) => revoked.add(id))
      return { blacklistedCount: ids.length }
    },
  })
  const user = userEvent.setup()
  renderWithApp(<TokensPage />, fake.api)
  return { fake, user }
}

describe('token ledger', () => {
  it('shows an empty state', async () => {
    setup([])
    expect((await screen.findByTestId('ledger-empty')).textContent).toContain(
      'No tokens issued yet',
    )
  })

  it('lists tokens with their state and total, and filters through tokens.list', async () => {
    const { fake, user } = setup(
      [
        record('t1', { name: 'station 1' }),
        record('t2', { expiration: NOW - 10 }),
        record('t3', { blacklisted: { flag: true, timestamp: NOW } }),
      ],
      120,
    )
    expect((await screen.findByTestId('ledger-row-t1')).getAttribute('data-state')).toBe('active')
    expect(screen.getByTestId('ledger-row-t2').getAttribute('data-state')).toBe('expired')
    expect(screen.getByTestId('ledger-row-t3').getAttribute('data-state')).toBe('revoked')
    expect(screen.queryByTestId('revoke-token-t3')).toBeNull()
    expect(screen.getByTestId('ledger-total').textContent).toContain('120 tokens')
    expect(fake.callsTo('tokens.list')[0]).toEqual({ status: 'all', offset: 0, limit: 25 })

    await user.click(within(screen.getByTestId('ledger-filter-status')).getByText('revoked'))
    await user.type(screen.getByTestId('ledger-search'), 'station')
    await waitFor(() =>
      expect(fake.callsTo('tokens.list').at(-1)).toEqual({
        status: 'revoked',
        search: 'station',
        offset: 0,
        limit: 25,
      }),
    )

    // 120 tokens, 25 a page: page 2 asks for offset 25.
    await user.click(within(screen.getByTestId('ledger-pagination')).getByText('2'))
    await waitFor(() => expect(fake.callsTo('tokens.list').at(-1)).toMatchObject({ offset: 25 }))
  })

  it('revokes one token after confirmation', async () => {
    const { fake, user } = setup([record('t1'), record('t2')])
    await user.click(await screen.findByTestId('revoke-token-t1'))
    const dialog = await screen.findByTestId('revoke-dialog')
    expect(within(dialog).getByText('Revoke this token?')).toBeTruthy()
    await user.click(within(dialog).getByTestId('revoke-dialog-confirm'))

    await waitFor(() => expect(fake.callsTo('tokens.revoke')).toEqual([{ ids: ['t1'] }]))
    await waitFor(() =>
      expect(screen.getByTestId('ledger-row-t1').getAttribute('data-state')).toBe('revoked'),
    )
  })

  it('redraws only the row whose record changed when the ledger refreshes', async () => {
    const { user } = setup([record('t1'), record('t2'), record('t3')])
    await user.click(await screen.findByTestId('revoke-token-t2'))
    const dialog = await screen.findByTestId('revoke-dialog')
    vi.mocked(formatTime).mockClear()
    await user.click(within(dialog).getByTestId('revoke-dialog-confirm'))
    await waitFor(() =>
      expect(screen.getByTestId('ledger-row-t2').getAttribute('data-state')).toBe('revoked'),
    )
    expect(vi.mocked(formatTime)).toHaveBeenCalledTimes(2)
  })

  it('revokes the selected tokens, and Cancel revokes nothing', async () => {
    const { fake, user } = setup([record('t1'), record('t2'), record('t3')])
    await user.click(await screen.findByTestId('ledger-select-t1'))
    await user.click(screen.getByTestId('ledger-select-t3'))
    expect(screen.getByTestId('revoke-selected').textContent).toContain('(2)')

    await user.click(screen.getByTestId('revoke-selected'))
    let dialog = await screen.findByTestId('revoke-dialog')
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    await waitFor(() => expect(screen.queryByTestId('revoke-dialog')).toBeNull())
    expect(fake.callsTo('tokens.revoke')).toHaveLength(0)

    await user.click(screen.getByTestId('revoke-selected'))
    dialog = await screen.findByTestId('revoke-dialog')
    expect(within(dialog).getByText('Revoke 2 tokens?')).toBeTruthy()
    await user.click(within(dialog).getByTestId('revoke-dialog-confirm'))
    await waitFor(() => expect(fake.callsTo('tokens.revoke')).toEqual([{ ids: ['t1', 't3'] }]))
    expect((await screen.findByTestId('notification-success')).textContent).toContain(
      '2 tokens revoked',
    )
  })
})
