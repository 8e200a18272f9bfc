// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { ParsedInput } from '../../shared/contract/index'
import { KeysPage } from '../../renderer/src/features/keys/KeysPage'
import { fakeConsole, keyView, NOW, renderWithApp } from './helpers'

const PEM =
  '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----'

function setup() {
  const keys = [
    keyView({ kid: 'k-active' }),
    keyView({ kid: 'k-next', state: 'next', activatedAt: null, createdAt: NOW - 100 }),
    keyView({ kid: 'k-old', state: 'retiring', retireAt: NOW + 3600, createdAt: NOW - 999_999 }),
  ]
  const fake = fakeConsole({
    'keys.list': () => keys,
    'keys.import': (input: ParsedInput<'keys.import'>) =>
      keyView({ kid: 'k-imported', origin: 'imported', state: input.activate ? 'active' : 'next' }),
    'keys.exportPublic': ({ format }: ParsedInput<'keys.exportPublic'>) => ({
      content:
        format === 'jwks'
          ? '{"keys":[{"kty":"EC","kid":"k-active"}]}'
          : '-----BEGIN PUBLIC KEY-----',
    }),
  })
  const user = userEvent.setup()
  renderWithApp(<KeysPage />, fake.api)
  return { fake, user }
}

describe('keys page', () => {
  it('lists keys with their state badges and a timeline', async () => {
    setup()
    expect((await screen.findByTestId('key-state-k-active')).textContent).toBe('active')
    expect(screen.getByTestId('key-state-k-next').textContent).toBe('next')
    expect(screen.getByTestId('key-state-k-old').textContent).toBe('retiring')
    const timeline = screen.getByTestId('keys-timeline')
    expect(within(timeline).getByText(/leaves the JWKS/)).toBeTruthy()
    expect(within(timeline).getByText(/\(upcoming\)/)).toBeTruthy()
  })

  it('refuses to import an empty PEM', async () => {
    const { fake, user } = setup()
    await user.click(await screen.findByTestId('import-key-button'))
    const form = await screen.findByTestId('import-key-form')
    await user.click(within(form).getByTestId('import-key-submit'))

    expect(await within(form).findByText('required')).toBeTruthy()
    expect(fake.callsTo('keys.import')).toHaveLength(0)
  })

  it('imports a pasted PEM, activated when asked', async () => {
    const { fake, user } = setup()
    await user.click(await screen.findByTestId('import-key-button'))
    const form = await screen.findByTestId('import-key-form')
    await user.click(within(form).getByTestId('import-key-pem'))
    await user.paste(PEM)
    await user.click(within(form).getByTestId('import-key-activate'))
    await user.click(within(form).getByTestId('import-key-submit'))

    await waitFor(() => expect(fake.callsTo('keys.import')).toEqual([{ pem: PEM, activate: true }]))
    await waitFor(() => expect(screen.queryByTestId('import-key-form')).toBeNull())
    expect((await screen.findByTestId('notification-success')).textContent).toContain('k-imported')
  })

  it('reads the PEM from a chosen file', async () => {
    const { fake, user } = setup()
    await user.click(await screen.findByTestId('import-key-button'))
    const form = await screen.findByTestId('import-key-form')
    const fileInput = form.querySelector('input[type="file"]') as HTMLInputElement
    await user.upload(fileInput, new File([PEM], 'key.pem', { type: 'application/x-pem-file' }))
    await waitFor(() =>
      expect((within(form).getByTestId('import-key-pem') as HTMLTextAreaElement).value).toBe(PEM),
    )
    await user.click(within(form).getByTestId('import-key-submit'))
    await waitFor(() =>
      expect(fake.callsTo('keys.import')).toEqual([{ pem: PEM, activate: false }]),
    )
  })

  it('exports the public JWKS', async () => {
    const { fake, user } = setup()
    await user.click(await screen.findByTestId('export-keys-button'))
    await user.click(await screen.findByTestId('export-submit'))
    expect((await screen.findByTestId('export-content')).textContent).toContain('"kty":"EC"')
    expect(fake.callsTo('keys.exportPublic')).toEqual([{ format: 'jwks' }])
    expect(screen.getByTestId('copy-export')).toBeTruthy()
    expect(screen.getByTestId('download-export').textContent).toContain('jwks.json')
  })
})
