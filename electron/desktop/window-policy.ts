import { originOf } from '../api/ipc-transport.js'

/**
 * What the desktop window may load, navigate to and open, as plain functions and constants: the
 * app:// origin it runs at, its web preferences, and the external links it may hand to the OS.
 * Nothing here imports electron, so unit tests check it in plain Node.
 */

export const APP_SCHEME = 'app'
export const APP_HOST = 'console'
/** The one origin the console window runs at, and the only one IPC answers. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`

/**
 * webPreferences every window has. The desktop modules spell them out as literals in each
 * `new BrowserWindow({ webPreferences: { … } })`, where Electronegativity can read them (it
 * follows neither spreads nor `satisfies`); a unit test parses electron/desktop/ and holds every
 * window to this list.
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
