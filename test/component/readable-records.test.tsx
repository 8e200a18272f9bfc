// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it } from 'vitest'
import type {
  AuditEntry,
  InspectResult,
  ParsedInput,
  TokenRecordView,
} from '../../shared/contract/index'
import { AuditPage } from '../../renderer/src/features/audit/AuditPage'
import { InspectorPage } from '../../renderer/src/features/inspector/InspectorPage'
import { forgetInspector } from '../../renderer/src/features/inspector/inspector-memory'
import { TokensPage } from '../../renderer/src/features/tokens/TokensPage'
import { formatTime } from '../../renderer/src/lib/format'
import { clientView, fakeConsole, fakeJwt, NOW, renderWithApp, statusView } from './helpers'

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

beforeEach(forgetInspector)

describe('readable records: tokens ledger', () => {
  it('offers no Revoke for an expired token, and links every token to the Inspector', async () => {
    const fake = fakeConsole({
      'status.get': () => statusView(),
      'clients.list': () => [clientView()],
      'tokens.list': () => ({
        items: [record('live'), record('old', { expiration: NOW - 10 })],
        total: 2,
      }),
    })
    renderWithApp(<TokensPage />, fake.api)
    await screen.findByTestId('ledger-row-old')
    expect(screen.getByTestId('revoke-token-live')).toBeTruthy()
    expect(screen.queryByTestId('revoke-token-old')).toBeNull()
    expect((screen.getByTestId('ledger-select-old') as HTMLInputElement).disabled).toBe(true)
    expect(screen.getByTestId('inspect-token-old').getAttribute('href')).toBe('#/inspector/old')
  })
})

describe('readable records: inspector', () => {
  const exp = NOW + 900
  const result: InspectResult = {
    header: { alg: 'ES256' },
    payload: { sub: 'dps', exp, iat: NOW, 'https://plgd.dev/owner': 'owner-1' },
    verification: { checkedAgainst: 'this issuer', valid: true },
    hubRejections: [],
  }
  const token = fakeJwt({ alg: 'ES256' }, { sub: 'dps' })

  it('shows the payload times as local times next to the raw values, and names the owner claim', async () => {
    const fake = fakeConsole({ 'status.get': () => statusView(), 'tokens.inspect': () => result })
    const user = userEvent.setup()
    renderWithApp(<InspectorPage />, fake.api)
    await user.click(screen.getByTestId('inspector-input'))
    await user.paste(token)
    await user.click(screen.getByTestId('inspector-submit'))
    const expLine = await screen.findByTestId('claim-exp')
    expect(expLine.textContent).toContain(formatTime(exp))
    expect(expLine.textContent).toContain(String(exp))
    expect(expLine.textContent).toMatch(/\(in 1[45] min/)
    expect(screen.getByTestId('claim-https://plgd.dev/owner').textContent).toContain('owner')
  })

  it('keeps its input and result across page changes', async () => {
    const fake = fakeConsole({ 'status.get': () => statusView(), 'tokens.inspect': () => result })
    const user = userEvent.setup()
    const first = renderWithApp(<InspectorPage />, fake.api)
    await user.click(screen.getByTestId('inspector-input'))
    await user.paste(token)
    await user.click(screen.getByTestId('inspector-submit'))
    await screen.findByTestId('inspector-result')
    first.unmount()

    renderWithApp(<InspectorPage />, fake.api)
    expect((screen.getByTestId('inspector-input') as HTMLTextAreaElement).value).toBe(token)
    expect(screen.getByTestId('inspector-result')).toBeTruthy()
  })

  it('opened from the ledger, shows the record and that a laptop-mode revocation is unseen', async () => {
    window.location.hash = '#/inspector/t9'
    const fake = fakeConsole({
      'status.get': () => statusView(),
      'tokens.list': () => ({
        items: [record('t9', { blacklisted: { flag: true, timestamp: NOW - 5 } })],
        total: 1,
      }),
    })
    renderWithApp(<InspectorPage />, fake.api)
    const card = await screen.findByTestId('inspector-ledger-record')
    await waitFor(() => expect(card.getAttribute('data-state')).toBe('revoked'))
    expect(screen.getByTestId('inspector-ledger-revoked-unseen').textContent).toContain(
      'a hub would still accept it until it expires',
    )
    expect(fake.callsTo('tokens.list')[0]).toMatchObject({ search: 't9' })
    window.location.hash = ''
  })
})

describe('readable records: audit', () => {
  const entries: AuditEntry[] = [
    {
      seq: 2,
      at: NOW - 30,
      actor: 'console',
      action: 'client.secret_rotated',
      subject: 'dps',
      details: { graceUntil: NOW + 3600 },
      hash: 'b'.repeat(64),
    },
    {
      seq: 1,
      at: NOW - 60,
      actor: 'cli',
      action: 'token.revoked',
      subject: 'jti-1',
      details: { count: 1 },
      hash: 'a'.repeat(64),
    },
  ]

  it('reads entries as text with local times, and filters through audit.list', async () => {
    const fake = fakeConsole({
      'audit.list': (input: ParsedInput<'audit.list'>) => {
        const items = entries.filter(
          (e) =>
            (!input.actor || e.actor === input.actor) &&
            (!input.search || JSON.stringify(e).includes(input.search)),
        )
        return { items, total: items.length }
      },
    })
    const user = userEvent.setup()
    renderWithApp(<AuditPage />, fake.api)
    const summary = await screen.findByTestId('audit-summary-2')
    expect(summary.textContent).toContain('Client secret rotated: dps')
    expect(summary.textContent).toContain(`graceUntil: ${formatTime(NOW + 3600)}`)
    expect(screen.getByTestId('audit-time-2').textContent).toBe(formatTime(NOW - 30))

    await user.type(screen.getByTestId('audit-filter-actor'), 'cli')
    await user.type(screen.getByTestId('audit-search'), 'jti')
    await waitFor(() =>
      expect(fake.callsTo('audit.list').at(-1)).toMatchObject({ actor: 'cli', search: 'jti' }),
    )
    await waitFor(() => expect(screen.queryByTestId('audit-row-2')).toBeNull())
    expect(screen.getByTestId('audit-row-1')).toBeTruthy()
    expect(screen.getByTestId('audit-total').textContent).toContain('1 entry match')
  })
})
