// @vitest-environment jsdom
import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { AuditEntry, AuditVerification, ParsedInput } from '../../shared/contract/index'
import { AuditPage } from '../../renderer/src/features/audit/AuditPage'
import { fakeConsole, NOW, renderWithApp } from './helpers'

const entry = (seq: number): AuditEntry => ({
  seq,
  at: NOW - 100 + seq,
  actor: 'ui',
  action: 'clients.add',
  subject: `client-${seq}`,
  details: {},
  hash: 'a'.repeat(64),
})

function setup(verification: AuditVerification, total = 3) {
  const fake = fakeConsole({
    'audit.list': ({ offset, limit }: ParsedInput<'audit.list'>) => ({
      items: Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) =>
        entry(offset + i + 1),
      ),
      total,
    }),
    'audit.verify': () => verification,
  })
  const user = userEvent.setup()
  renderWithApp(<AuditPage />, fake.api)
  return { fake, user }
}

describe('audit page', () => {
  it('shows an empty state', async () => {
    setup({ ok: true, entries: 0 }, 0)
    expect(await screen.findByTestId('audit-empty')).toBeTruthy()
  })

  it('pages through the log', async () => {
    const { fake, user } = setup({ ok: true, entries: 120 }, 120)
    expect(await screen.findByTestId('audit-row-1')).toBeTruthy()
    expect(fake.callsTo('audit.list')[0]).toEqual({ offset: 0, limit: 50 })
    await user.click(await screen.findByRole('button', { name: '3' }))
    expect(await screen.findByTestId('audit-row-101')).toBeTruthy()
  })

  it('reports an intact chain', async () => {
    const { user } = setup({ ok: true, entries: 3 })
    await user.click(await screen.findByTestId('audit-verify'))
    expect((await screen.findByTestId('audit-verify-result')).textContent).toContain('Chain intact')
  })

  it('reports where the chain breaks', async () => {
    const { user } = setup({ ok: false, entries: 3, brokenAt: 2 })
    await user.click(await screen.findByTestId('audit-verify'))
    const result = await screen.findByTestId('audit-verify-result')
    expect(result.textContent).toContain('broken at seq 2')
    expect(result.getAttribute('data-broken-at')).toBe('2')
  })
})
