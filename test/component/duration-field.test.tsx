// @vitest-environment jsdom
import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { IssuedToken, ParsedInput } from '../../shared/contract/index'
import { parseDuration } from '../../renderer/src/components/duration'
import { CreateConfigDialog } from '../../renderer/src/features/configs/CreateConfigDialog'
import { IssueTokenDialog } from '../../renderer/src/features/tokens/IssueTokenDialog'
import { clientView, fakeConsole, renderWithApp, statusView } from './helpers'

function issued(input: ParsedInput<'tokens.issue'>): IssuedToken {
  const now = Math.floor(Date.now() / 1000)
  const lifetime = input.lifetimeSeconds ?? 3600
  return {
    accessToken: 'a.b.c',
    tokenType: 'Bearer',
    expiresIn: lifetime,
    expiresAt: now + lifetime,
    scope: '',
    jti: 'jti-1',
  }
}

function setup() {
  const fake = fakeConsole({
    'clients.list': () => [clientView({ id: 'dps', maxLifetimeSeconds: 7200 })],
    'status.get': () =>
      statusView({ settings: { ...statusView().settings, maxLifetimeSeconds: 86_400 } }),
    'tokens.issue': issued,
  })
  const user = userEvent.setup()
  renderWithApp(
    <IssueTokenDialog opened onClose={() => undefined} defaultClientId="dps" />,
    fake.api,
  )
  return { fake, user }
}

/** Durations as a technician types them (issue 17, item 3), through the issue-token dialog. */
describe('duration field', () => {
  it.each([
    ['15m', 's', 900],
    ['15', 'min', 900],
    ['1.5', 'h', 5400],
    ['2 h', 's', 7200],
  ])('reads %s (unit %s) as %i seconds', async (text, unit, seconds) => {
    const { fake, user } = setup()
    const form = await screen.findByTestId('issue-token-form')
    await user.selectOptions(within(form).getByTestId('issue-lifetime-unit'), unit)
    await user.type(within(form).getByTestId('issue-lifetime'), text)
    await user.click(within(form).getByTestId('issue-submit'))
    await screen.findByTestId('token-result')
    expect(fake.callsTo('tokens.issue')[0]).toMatchObject({ lifetimeSeconds: seconds })
  })

  it.each([
    ['0', 'must be longer than 0'],
    ['-900', 'must be longer than 0'],
    ['9.5', 'must be a whole number of seconds'],
    ['15x', /enter a number/],
  ])('refuses %s with a reason and sends nothing', async (text, reason) => {
    const { fake, user } = setup()
    const form = await screen.findByTestId('issue-token-form')
    await user.type(within(form).getByTestId('issue-lifetime'), text)
    await user.click(within(form).getByTestId('issue-submit'))
    expect(await within(form).findByText(reason)).toBeTruthy()
    expect(fake.callsTo('tokens.issue')).toHaveLength(0)
  })

  it("offers presets, disables those over the caps and shows the client's and the issuer's caps", async () => {
    const { fake, user } = setup()
    const form = await screen.findByTestId('issue-token-form')
    expect(within(form).getByTestId('issue-lifetime-caps').textContent).toBe(
      'Max client dps: 2 h · issuer: 1 d',
    )
    expect(within(form).getByTestId('issue-lifetime-preset-86400').hasAttribute('disabled')).toBe(
      true,
    )
    await user.click(within(form).getByTestId('issue-lifetime-preset-900'))
    expect((within(form).getByTestId('issue-lifetime') as HTMLInputElement).value).toBe('15')
    expect((within(form).getByTestId('issue-lifetime-unit') as HTMLSelectElement).value).toBe('min')
    await user.click(within(form).getByTestId('issue-submit'))
    await screen.findByTestId('token-result')
    expect(fake.callsTo('tokens.issue')[0]).toMatchObject({ lifetimeSeconds: 900 })
  })
})

/** A whole-number field keeps what was typed, so `-5` and `9.5` are refused, not rewritten. */
describe('whole number field', () => {
  it.each([
    ['-5', 'at least 0'],
    ['9.5', 'enter a whole number'],
  ])('keeps %s as typed and refuses it', async (typed, reason) => {
    const fake = fakeConsole({
      'configs.create': () => ({ configuration: { id: 'c', version: 0 } }),
    })
    const user = userEvent.setup()
    renderWithApp(<CreateConfigDialog hub="lab" opened onClose={() => {}} />, fake.api)
    await user.type(await screen.findByTestId('config-name'), 'light-42')
    await user.type(screen.getByTestId('config-href-0'), '/light/1')
    const ttl = screen.getByTestId('config-ttl')
    await user.type(ttl, typed)
    expect((ttl as HTMLInputElement).value).toBe(typed)
    await user.click(screen.getByTestId('config-create-submit'))
    expect(await screen.findByText(reason)).toBeTruthy()
    expect(fake.callsTo('configs.create')).toHaveLength(0)
  })
})

describe('parseDuration', () => {
  it('takes 0 only where a duration may be nothing (a grace period that ends now)', () => {
    expect(parseDuration('0', 'min')).toEqual({ kind: 'invalid', message: 'must be longer than 0' })
    expect(parseDuration('0', 'min', true)).toEqual({ kind: 'ok', seconds: 0 })
    expect(parseDuration('-1', 'min', true).kind).toBe('invalid')
    expect(parseDuration('', 'h')).toEqual({ kind: 'empty' })
  })
})
