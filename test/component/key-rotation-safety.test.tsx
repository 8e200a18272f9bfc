// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { KeyView } from '../../shared/contract/index'
import { VALIDATOR_JWKS_CACHE_SECONDS } from '../../renderer/src/features/keys/jwks-cache'
import { KeysPage } from '../../renderer/src/features/keys/KeysPage'
import { fakeConsole, keyView, NOW, renderWithApp } from './helpers'

function setup(nextPublishedAgo: number) {
  let keys: KeyView[] = [
    keyView({ kid: 'k-active' }),
    keyView({
      kid: 'k-next',
      state: 'next',
      activatedAt: null,
      createdAt: NOW - nextPublishedAgo,
    }),
  ]
  const fake = fakeConsole({
    'keys.list': () => keys,
    'keys.rotate': () => {
      const at = Math.floor(Date.now() / 1000)
      keys = [
        keyView({ kid: 'k-next', activatedAt: at, createdAt: NOW - nextPublishedAgo }),
        keyView({ kid: 'k-new', state: 'next', activatedAt: null, createdAt: at }),
        keyView({ kid: 'k-active', state: 'retiring', retireAt: at + 3600 }),
      ]
      return keys
    },
  })
  const user = userEvent.setup()
  renderWithApp(<KeysPage />, fake.api)
  return { fake, user }
}

describe('key rotation safety', () => {
  it('warns when the key about to sign was published less than a JWKS cache time ago', async () => {
    const { user } = setup(100)
    await user.click(await screen.findByTestId('rotate-keys-button'))
    const risk = await screen.findByTestId('rotate-keys-risk')
    expect(risk.textContent).toContain('k-next')
    expect(risk.textContent).toMatch(/published 1 min \d+ s ago/)
  })

  it('does not warn when the next key has been published longer than the cache time', async () => {
    const { user } = setup(VALIDATOR_JWKS_CACHE_SECONDS + 60)
    await user.click(await screen.findByTestId('rotate-keys-button'))
    await screen.findByTestId('rotate-keys-confirm')
    expect(screen.queryByTestId('rotate-keys-risk')).toBeNull()
  })

  it('draws the rotation on the timeline at once: the new key is activated, not upcoming', async () => {
    const { user } = setup(VALIDATOR_JWKS_CACHE_SECONDS + 60)
    await screen.findByTestId('keys-timeline')
    // The rotation happens in a later second than the page's clock was read.
    await new Promise((resolve) => setTimeout(resolve, 1100))
    await user.click(screen.getByTestId('rotate-keys-button'))
    await user.click(await screen.findByTestId('rotate-keys-confirm'))
    await waitFor(() => expect(screen.getByTestId('key-state-k-next').textContent).toBe('active'))
    const timeline = screen.getByTestId('keys-timeline')
    const activated = within(timeline).getByTestId('timeline-k-next-activated')
    expect(activated.getAttribute('data-upcoming')).toBe('false')
    expect(activated.textContent).not.toContain('(upcoming)')
  })
})
