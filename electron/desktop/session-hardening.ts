import type { Session } from 'electron'
import { originOf } from '../api/ipc-transport.js'
import type { Logger } from '../platform/logger.js'
import type { ElectronMain } from './electron-main.js'
import { APP_ORIGIN, isSameAppOrigin, toAllowedExternalUrl } from './window-policy.js'

/**
 * Every permission (camera, notifications, HID, …) is refused, asked or checked, except writing
 * to the clipboard from the console itself: its copy buttons (issuer URL, a new secret shown
 * once) need it, and it reads nothing.
 */
export function hardenSession(ses: Session): void {
  const clipboardWrite = (permission: string, origin: string): boolean =>
    permission === 'clipboard-sanitized-write' && origin === APP_ORIGIN
  ses.setPermissionRequestHandler((webContents, permission, callback) =>
    callback(clipboardWrite(permission, originOf(webContents.getURL()) ?? '')),
  )
  ses.setPermissionCheckHandler((webContents, permission) =>
    clipboardWrite(permission, originOf(webContents?.getURL() ?? '') ?? ''),
  )
  ses.setDevicePermissionHandler(() => false)
}

/** Opens an allow-listed https link in the user's browser; anything else is logged and dropped. */
export function externalLinkOpener(
  shell: ElectronMain['shell'],
  log: Logger,
): (url: string) => void {
  return (url) => {
    const allowed = toAllowedExternalUrl(url)
    if (allowed === null) {
      log.warn('blocked a link to outside the console', { url: url.slice(0, 200) })
      return
    }
    // Electronegativity flags every openExternal with a non-literal argument; this one only ever
    // receives a URL toAllowedExternalUrl normalized and allowed (https, plgd.dev hosts only).
    void shell.openExternal(allowed)
  }
}

/**
 * Every page the app creates stays on app://console: no webviews, no navigation or redirect
 * elsewhere, no new windows. A plain link to the plgd docs opens in the browser instead.
 */
export function confineWebContents(
  app: ElectronMain['app'],
  openExternal: (url: string) => void,
): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault())
    contents.on('will-navigate', (event, _url) => {
      if (isSameAppOrigin(event.url)) return
      event.preventDefault()
      openExternal(event.url)
    })
    contents.on('will-redirect', (event) => {
      if (!isSameAppOrigin(event.url)) event.preventDefault()
    })
    contents.setWindowOpenHandler(({ url }) => {
      openExternal(url)
      return { action: 'deny' }
    })
  })
}
