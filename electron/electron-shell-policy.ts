import { timingSafeEqual } from 'node:crypto'
import { readFile, realpath, stat } from 'node:fs/promises'
import { extname, join, resolve, sep } from 'node:path'
import { originOf } from './api/ipc-transport.js'

/**
 * The security policy of the two console front ends, as plain functions and constants: the
 * Electron window (main.ts: app:// scheme, navigation, external links, window preferences) and
 * the headless bridge (api/http-bridge.ts: the same static files and headers over loopback HTTP).
 * Nothing here imports electron, so unit tests check it in plain Node.
 */

export const APP_SCHEME = 'app'
export const APP_HOST = 'console'
/** The one origin the console window runs at, and the only one IPC answers. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`

/** CSP of every console page, in the window (app://) and in a browser (headless bridge). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ')

/** Headers on every response of the app:// handler and of the headless bridge. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
})

/**
 * webPreferences every window has. main.ts spells them out as literals in each
 * `new BrowserWindow({ webPreferences: { … } })`, where Electronegativity can read them (it
 * follows neither spreads nor `satisfies`); a unit test parses main.ts and holds every window
 * to this list.
 */
export const WEB_PREFERENCES = Object.freeze({
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webviewTag: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  /** Middle-click would open links in new windows (denied anyway by the window-open handler). */
  disableBlinkFeatures: 'Auxclick',
} as const)

/** Hosts whose https links the console may open in the user's browser. */
const EXTERNAL_HOSTS = new Set(['plgd.dev', 'docs.plgd.dev'])
/** github.com only under the plgd-dev organisation. */
const GITHUB_ORG_PATH = /^\/plgd-dev(?:\/|$)/

/**
 * The normalized form of an allow-listed external link, or null: https only, default port, no
 * credentials, host exactly plgd.dev or docs.plgd.dev, or github.com/plgd-dev/…. The caller
 * opens the returned string, not its input, so the OS sees exactly what was checked.
 */
export function toAllowedExternalUrl(url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (parsed.protocol !== 'https:' || parsed.port !== '') return null
  if (parsed.username !== '' || parsed.password !== '') return null
  const allowed =
    EXTERNAL_HOSTS.has(parsed.hostname) ||
    (parsed.hostname === 'github.com' && GITHUB_ORG_PATH.test(parsed.pathname))
  return allowed ? parsed.href : null
}

export function isAllowedExternalUrl(url: string): boolean {
  return toAllowedExternalUrl(url) !== null
}

/** Whether a URL is on the console's own origin (navigation inside the app). */
export function isSameAppOrigin(url: string): boolean {
  return originOf(url) === APP_ORIGIN
}

/**
 * The raw (still percent-encoded) path of an app://console/ URL, without query or fragment;
 * null for any other scheme, host, port or credentials. Taken from the string itself rather
 * than from URL parsing, which would already have folded `..` segments away.
 */
export function appRequestPath(requestUrl: string): string | null {
  const prefix = `${APP_ORIGIN}/`
  if (!requestUrl.startsWith(prefix)) return null
  return `/${requestUrl.slice(prefix.length).split(/[?#]/, 1)[0]}`
}

/**
 * Resolves a request path (as sent, percent-encoded) to a file inside staticDir, or null when it
 * could point anywhere else: `..` or `.` segments (also as %2e), dotfiles, empty segments (`//`),
 * backslashes, drive letters or other colons, NUL and control characters, malformed escapes.
 * Every segment is checked after decoding, so `%2f` cannot smuggle a separator past the check.
 * `/` is index.html. Decoding happens once: `%252e` stays a literal name.
 */
export function resolveStaticFile(staticDir: string, rawPath: string): string | null {
  if (!rawPath.startsWith('/')) return null
  let decoded: string
  try {
    decoded = decodeURIComponent(rawPath)
  } catch {
    return null
  }
  const root = resolve(staticDir)
  if (decoded === '/') return join(root, 'index.html')
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\\:\u0000-\u001f\u007f]/.test(decoded)) return null
  const segments = decoded.slice(1).split('/')
  if (segments.some((s) => s === '' || s.startsWith('.'))) return null
  const file = resolve(root, ...segments)
  return file.startsWith(root + sep) ? file : null
}

/** resolveStaticFile for an app://console/ URL; null for any other URL. */
export function resolveAppFile(staticDir: string, requestUrl: string): string | null {
  const rawPath = appRequestPath(requestUrl)
  return rawPath === null ? null : resolveStaticFile(staticDir, rawPath)
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
}

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

export interface StaticAsset {
  file: string
  body: Buffer
  contentType: string
  /** index.html is never cached (a new build must show at once); hashed assets revalidate. */
  cacheControl: string
}

/**
 * Loads the file a request path names, for both front ends. Paths resolveStaticFile refuses are
 * not found; a path without an extension that names no file is the single-page app's route and
 * gets index.html; the real path must still lie inside the real staticDir (no symlink escapes).
 */
export async function loadStaticAsset(
  staticDir: string,
  rawPath: string,
): Promise<StaticAsset | null> {
  const file = resolveStaticFile(staticDir, rawPath)
  if (file === null) return null
  const found = await readInside(staticDir, file)
  if (found || extname(file) !== '') return found
  return readInside(staticDir, join(resolve(staticDir), 'index.html'))
}

async function readInside(staticDir: string, file: string): Promise<StaticAsset | null> {
  try {
    const [root, real] = await Promise.all([realpath(staticDir), realpath(file)])
    if (!real.startsWith(root + sep)) return null
    if (!(await stat(real)).isFile()) return null
    const isIndex = real === join(root, 'index.html')
    return {
      file: real,
      body: await readFile(real),
      contentType: contentTypeFor(real),
      cacheControl: isIndex ? 'no-store' : 'no-cache',
    }
  } catch {
    return null
  }
}

// --- The vault passphrase page ------------------------------------------------------------------

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
