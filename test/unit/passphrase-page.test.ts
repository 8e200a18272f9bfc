// @vitest-environment node
import { describe, expect, it } from 'vitest'
import {
  PASSPHRASE_PAGE_CSP,
  readPassphraseForm,
  renderPassphrasePage,
  type PassphrasePrompt,
} from '../../electron/desktop/passphrase-page.js'
import { APP_ORIGIN, isSameAppOrigin } from '../../electron/desktop/window-policy.js'

describe('the passphrase page CSP', () => {
  it('lets the passphrase page run no script and post only to itself', () => {
    expect(PASSPHRASE_PAGE_CSP).toContain("default-src 'none'")
    expect(PASSPHRASE_PAGE_CSP).toContain("form-action 'self'")
    expect(PASSPHRASE_PAGE_CSP).not.toContain('script-src')
  })
})

describe('the passphrase page', () => {
  const prompt: PassphrasePrompt = {
    kind: 'create',
    nonce: 'n0nce-value-123',
    dataDir: '/home/u/.config/plgd-m2m-console',
  }
  const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString()

  it('is a form with no script, posting to itself', () => {
    const html = renderPassphrasePage(prompt)
    expect(html).toContain('<form method="post" action="vault-passphrase">')
    expect(html).toContain('name="nonce" value="n0nce-value-123"')
    expect(html).toContain('name="confirm"')
    expect(html).not.toMatch(/<script|on\w+=/i)
    expect(renderPassphrasePage({ ...prompt, kind: 'unlock' })).not.toContain('name="confirm"')
  })

  it('escapes what it shows', () => {
    const html = renderPassphrasePage({
      ...prompt,
      dataDir: '/tmp/<img src=x onerror=alert(1)>',
      error: '"><script>alert(1)</script>',
    })
    expect(html).not.toContain('<img')
    expect(html).not.toContain('<script')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(html).toContain('&quot;&gt;&lt;script&gt;')
  })

  it('takes a matching passphrase', () => {
    const body = form({
      nonce: prompt.nonce,
      passphrase: 'correct horse',
      confirm: 'correct horse',
    })
    expect(readPassphraseForm(body, prompt)).toEqual({
      action: 'submit',
      passphrase: 'correct horse',
    })
    expect(
      readPassphraseForm(form({ nonce: prompt.nonce, passphrase: 'correct horse' }), {
        ...prompt,
        kind: 'unlock',
      }),
    ).toEqual({ action: 'submit', passphrase: 'correct horse' })
  })

  it('asks again for a short or mistyped passphrase', () => {
    expect(
      readPassphraseForm(
        form({ nonce: prompt.nonce, passphrase: 'short', confirm: 'short' }),
        prompt,
      ).action,
    ).toBe('retry')
    expect(
      readPassphraseForm(
        form({ nonce: prompt.nonce, passphrase: 'correct horse', confirm: 'correct hose' }),
        prompt,
      ),
    ).toEqual({ action: 'retry', error: 'The two passphrases differ.' })
  })

  it('lets the user quit', () => {
    expect(readPassphraseForm(form({ nonce: prompt.nonce, action: 'cancel' }), prompt)).toEqual({
      action: 'cancel',
    })
  })

  it.each<Record<string, string>>([
    {},
    { nonce: '' },
    { nonce: 'n0nce-value-124' },
    { nonce: 'n0nce-value-123x' },
    { nonce: 'N0NCE-VALUE-123' },
  ])('rejects a post without this prompt’s nonce: %j', (fields) => {
    const body = form({ ...fields, passphrase: 'correct horse', confirm: 'correct horse' })
    expect(readPassphraseForm(body, prompt)).toEqual({ action: 'reject' })
  })

  it('lives on the app origin', () => {
    expect(isSameAppOrigin(`${APP_ORIGIN}/vault-passphrase`)).toBe(true)
  })
})
