// @vitest-environment jsdom
import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { ParsedInput } from '../../shared/contract/index'
import { DashboardPage } from '../../renderer/src/features/status/DashboardPage'
import { fakeConsole, renderWithApp, statusView } from './helpers'

/** Clock skew from the console for a hub behind a private CA (issue 17, item 11). */
const CA = '-----BEGIN CERTIFICATE-----\nMIIBhub\n-----END CERTIFICATE-----\n'
const UNTRUSTED =
  "cannot measure the clock of https://hub.lab: the hub's certificate is not trusted: give its CA certificate (PEM) as the CA file (--ca FILE on the CLI)"

function setup() {
  const fake = fakeConsole({
    'status.get': () => statusView(),
    'clock.skew': ({ url, caPem }: ParsedInput<'clock.skew'>) =>
      caPem === CA
        ? { url, skewSeconds: 0, roundTripMs: 5 }
        : { ok: false, error: { code: 'invalid_input', message: UNTRUSTED } },
  })
  const user = userEvent.setup()
  renderWithApp(<DashboardPage />, fake.api)
  return { fake, user }
}

describe('clock skew with a CA file', () => {
  it('says an untrusted certificate in words, then measures with the CA file given', async () => {
    const { fake, user } = setup()
    await user.type(await screen.findByTestId('clock-skew-url'), 'https://hub.lab')
    await user.click(screen.getByTestId('clock-skew-submit'))
    const toast = await screen.findByTestId('notification-error')
    expect(toast.textContent).toContain("the hub's certificate is not trusted: give its CA")

    const card = screen.getByTestId('clock-skew-ca').closest('form')!
    const input = card.querySelector<HTMLInputElement>('input[type=file]')!
    await user.upload(input, new File([CA], 'hub-ca.pem', { type: 'application/x-pem-file' }))
    expect((await within(card).findByText(/trusting hub-ca.pem/)).textContent).toBe(
      'trusting hub-ca.pem for this hub',
    )
    await user.click(screen.getByTestId('clock-skew-submit'))
    expect((await screen.findByTestId('clock-skew-result')).textContent).toMatch(/Clocks agree/)
    expect(fake.callsTo('clock.skew').at(-1)).toEqual({ url: 'https://hub.lab', caPem: CA })
  })
})
