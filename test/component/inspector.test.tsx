// @vitest-environment jsdom
import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it } from 'vitest'
import type { InspectResult } from '../../shared/contract/index'
import { InspectorPage } from '../../renderer/src/features/inspector/InspectorPage'
import { forgetInspector } from '../../renderer/src/features/inspector/inspector-memory'
import { fakeConsole, fakeJwt, renderWithApp } from './helpers'

const TOKEN = fakeJwt({ alg: 'ES256', kid: 'k1' }, { sub: 'dps', iat: 1 })

function setup(result: InspectResult) {
  const fake = fakeConsole({ 'tokens.inspect': () => result })
  const user = userEvent.setup()
  renderWithApp(<InspectorPage />, fake.api)
  return { fake, user }
}

const base: InspectResult = {
  header: { alg: 'ES256', kid: 'k1' },
  payload: { sub: 'dps', iat: 1 },
  verification: { checkedAgainst: 'this issuer', valid: true },
  hubRejections: [],
}

describe('inspector', () => {
  // The Inspector remembers its input across page changes (module state): start each test empty.
  beforeEach(forgetInspector)

  it('starts with an empty state', async () => {
    setup(base)
    expect(await screen.findByTestId('inspector-empty')).toBeTruthy()
  })

  it('lists what a plgd hub would reject and why', async () => {
    const { fake, user } = setup({
      ...base,
      verification: {
        checkedAgainst: 'https://auth.example.com',
        valid: false,
        error: 'no key k1',
      },
      hubRejections: ['missing exp: plgd requires an expiring token', 'iat lies in the future'],
    })
    await user.click(screen.getByTestId('inspector-input'))
    await user.paste(`Bearer ${TOKEN}`)
    await user.type(screen.getByTestId('inspector-authority'), 'https://auth.example.com')
    await user.click(screen.getByTestId('inspector-submit'))

    const rejections = await screen.findByTestId('inspector-rejections')
    expect(
      within(rejections)
        .getAllByTestId('inspector-rejection')
        .map((li) => li.textContent),
    ).toEqual(['missing exp: plgd requires an expiring token', 'iat lies in the future'])
    expect(screen.queryByTestId('inspector-accepted')).toBeNull()
    expect(screen.getByTestId('inspector-verification').getAttribute('data-valid')).toBe('false')
    expect(screen.getByText('no key k1')).toBeTruthy()
    // "Bearer " is stripped before the token is sent.
    expect(fake.callsTo('tokens.inspect')).toEqual([
      { token: TOKEN, authority: 'https://auth.example.com' },
    ])
  })

  it('says a hub would accept the token when nothing is rejected', async () => {
    const { user } = setup(base)
    await user.click(screen.getByTestId('inspector-input'))
    await user.paste(TOKEN)
    await user.click(screen.getByTestId('inspector-submit'))

    expect((await screen.findByTestId('inspector-accepted')).textContent).toContain(
      'A plgd hub would accept this token',
    )
    expect(JSON.parse(screen.getByTestId('inspector-payload').textContent!)).toEqual(base.payload)
  })

  it('refuses an authority that is not https', async () => {
    const { fake, user } = setup(base)
    await user.click(screen.getByTestId('inspector-input'))
    await user.paste(TOKEN)
    await user.type(screen.getByTestId('inspector-authority'), 'http://auth.example.com')
    await user.click(screen.getByTestId('inspector-submit'))
    expect(await screen.findByText('must be an https:// URL')).toBeTruthy()
    expect(fake.callsTo('tokens.inspect')).toHaveLength(0)
  })
})
