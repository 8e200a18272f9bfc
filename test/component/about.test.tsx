// @vitest-environment jsdom
import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { AboutView } from '../../shared/contract/index'
import { Shell } from '../../renderer/src/shell/Shell'
import { clientView, fakeConsole, renderWithApp, statusView, type Handlers } from './helpers'

const desktop: AboutView = {
  productName: 'plgd M2M Console',
  version: '0.1.0',
  electron: '45.5.0',
  chromium: '142.0.7444.59',
  node: '22.20.0',
  dataDir: '/home/tech/.config/plgd-m2m-console',
  vault: { mode: 'passphrase' },
  license: 'Apache-2.0',
}

function setup(handlers: Handlers) {
  const fake = fakeConsole({
    'status.get': () => statusView(),
    'clients.list': () => [clientView({ id: 'dps' })],
    ...handlers,
  })
  renderWithApp(<Shell />, fake.api)
  return { fake, user: userEvent.setup() }
}

describe('About', () => {
  it('asks main only when opened, then shows versions, data directory, vault and licence', async () => {
    const { fake, user } = setup({ 'about.get': () => desktop })
    const open = await screen.findByTestId('about-open')
    expect(fake.callsTo('about.get')).toHaveLength(0)

    await user.click(open)
    const about = within(await screen.findByTestId('about'))
    expect(about.getByText('plgd M2M Console 0.1.0')).toBeTruthy()
    expect(about.getByTestId('about-electron').textContent).toBe('45.5.0')
    expect(about.getByTestId('about-chromium').textContent).toBe('142.0.7444.59')
    expect(about.getByTestId('about-node').textContent).toBe('22.20.0')
    expect(about.getByTestId('about-data-directory').textContent).toBe(desktop.dataDir)
    expect(about.getByTestId('about-vault').textContent).toBe('passphrase')
    expect(about.getByTestId('about-licence').textContent).toBe('Apache-2.0')
    expect(fake.callsTo('about.get')).toEqual([{}])
  })

  it('says headless where the console runs without Electron', async () => {
    const { user } = setup({
      'about.get': () => ({
        ...desktop,
        electron: null,
        chromium: null,
        vault: { mode: 'keychain' },
      }),
    })
    await user.click(await screen.findByTestId('about-open'))
    const about = within(await screen.findByTestId('about'))
    expect(about.getByTestId('about-electron').textContent).toBe('none (headless)')
    expect(about.getByTestId('about-chromium').textContent).toBe('none (headless)')
    expect(about.getByTestId('about-vault').textContent).toBe('keychain')
  })

  it('shows a retry when main cannot answer', async () => {
    const { user } = setup({
      'about.get': () => ({ ok: false, error: { code: 'internal', message: 'boom' } }),
    })
    await user.click(await screen.findByTestId('about-open'))
    expect(await screen.findByTestId('load-failed')).toBeTruthy()
  })
})
