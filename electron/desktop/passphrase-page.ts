import { timingSafeEqual } from 'node:crypto'
import { APP_ORIGIN } from './window-policy.js'

/**
 * The vault passphrase page: what the prompt window shows and how its form post is read. The page
 * runs with JavaScript disabled in an in-memory session of its own; nothing here imports electron.
 */

/** Where the passphrase prompt window's page lives (in its own in-memory session). */
export const PASSPHRASE_PAGE_URL = `${APP_ORIGIN}/vault-passphrase`

/**
 * The prompt page runs with JavaScript disabled and posts a plain form back to its own URL, so
 * it needs no preload and no IPC channel: the form is all it can do.
 */
export const PASSPHRASE_PAGE_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ')

export const MIN_PASSPHRASE_LENGTH = 8
const MAX_PASSPHRASE_LENGTH = 1024
/** A form post larger than this is not a passphrase form. */
export const MAX_PASSPHRASE_FORM_BYTES = 8 * 1024

export interface PassphrasePrompt {
  /** `create`: a new vault (asked twice); `unlock`: an existing one. */
  kind: 'create' | 'unlock'
  /** Per-prompt random value the form must echo: only this page can answer this prompt. */
  nonce: string
  dataDir: string
  error?: string | undefined
}

export type PassphraseForm =
  | { action: 'submit'; passphrase: string }
  | { action: 'cancel' }
  | { action: 'retry'; error: string }
  | { action: 'reject' }

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )
}

function passwordField(label: string, name: string, autocomplete: string, autofocus: boolean) {
  const attributes = [
    'type="password"',
    `name="${name}"`,
    'required',
    `minlength="${MIN_PASSPHRASE_LENGTH}"`,
    `autocomplete="${autocomplete}"`,
    ...(autofocus ? ['autofocus'] : []),
  ]
  return `<label>${label}<input ${attributes.join(' ')}></label>`
}

const PASSPHRASE_PAGE_STYLE = [
  'body{font:14px system-ui,sans-serif;margin:20px;color:#1b1b1f}',
  'h1{font-size:17px;margin:0 0 8px}p{margin:0 0 12px;line-height:1.4}',
  '.dir{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all;color:#555}',
  'label{display:block;margin:0 0 10px}',
  'input{display:block;width:100%;box-sizing:border-box;margin-top:4px;padding:6px}',
  '.error{color:#b00020}.buttons{display:flex;gap:8px;justify-content:flex-end}',
].join('\n')

/** The prompt page: a plain form, no script; every interpolated value is escaped. */
export function renderPassphrasePage(prompt: PassphrasePrompt): string {
  const creating = prompt.kind === 'create'
  const title = creating ? 'Choose a vault passphrase' : 'Unlock the vault'
  const intro = creating
    ? 'The OS keychain is not available, so the signing keys and secrets in this data directory ' +
      'will be sealed under a key derived from a passphrase. You will type it at every start; ' +
      'without it the stored keys cannot be read.'
    : 'The signing keys and secrets in this data directory are sealed under a passphrase.'
  const fields = [
    passwordField(
      `Passphrase (at least ${MIN_PASSPHRASE_LENGTH} characters)`,
      'passphrase',
      creating ? 'new-password' : 'current-password',
      true,
    ),
    ...(creating ? [passwordField('Repeat it', 'confirm', 'new-password', false)] : []),
  ]
  const error = prompt.error ? `<p class="error" role="alert">${escapeHtml(prompt.error)}</p>` : ''
  const submitLabel = creating ? 'Create vault' : 'Unlock'
  return [
    '<!doctype html>',
    `<html lang="en"><head><meta charset="utf-8"><title>${title}</title>`,
    `<style>\n${PASSPHRASE_PAGE_STYLE}\n</style></head>`,
    `<body><h1>${title}</h1><p>${intro}</p>`,
    `<p class="dir">${escapeHtml(prompt.dataDir)}</p>${error}`,
    '<form method="post" action="vault-passphrase">',
    `<input type="hidden" name="nonce" value="${escapeHtml(prompt.nonce)}">`,
    ...fields,
    '<div class="buttons">',
    '<button type="submit" name="action" value="cancel" formnovalidate>Quit</button>',
    `<button type="submit" name="action" value="submit">${submitLabel}</button>`,
    '</div></form></body></html>',
    '',
  ].join('\n')
}

/** Reads the prompt's form post (application/x-www-form-urlencoded). */
export function readPassphraseForm(body: string, prompt: PassphrasePrompt): PassphraseForm {
  const form = new URLSearchParams(body)
  const nonce = Buffer.from(form.get('nonce') ?? '')
  const expected = Buffer.from(prompt.nonce)
  if (nonce.length !== expected.length || !timingSafeEqual(nonce, expected)) {
    return { action: 'reject' }
  }
  if (form.get('action') === 'cancel') return { action: 'cancel' }
  const passphrase = form.get('passphrase') ?? ''
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    return {
      action: 'retry',
      error: `The passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters.`,
    }
  }
  if (passphrase.length > MAX_PASSPHRASE_LENGTH) {
    return { action: 'retry', error: 'The passphrase is too long.' }
  }
  if (prompt.kind === 'create' && form.get('confirm') !== passphrase) {
    return { action: 'retry', error: 'The two passphrases differ.' }
  }
  return { action: 'submit', passphrase }
}
