import { join } from 'node:path'
import type { BrowserWindow as Window } from 'electron'
import type { AppEvent } from '../../shared/contract/index.js'
import { SECURITY_HEADERS, loadStaticAsset } from '../api/console-assets.js'
import { IPC_EVENT_CHANNEL } from '../api/ipc-transport.js'
import type { ElectronMain } from './electron-main.js'
import { PRODUCT_NAME } from './electron-main.js'
import { APP_ORIGIN, appRequestPath } from './window-policy.js'

// Compiled to dist/node/electron/desktop/: the renderer build is dist/renderer and the bundled
// preload dist/preload/preload.js.
const RENDERER_DIR = join(__dirname, '..', '..', '..', 'renderer')
const PRELOAD_FILE = join(__dirname, '..', '..', '..', 'preload', 'preload.js')
/** The window and tray icons scripts/make-icons.mjs renders from build/icon.svg (dist/icons/app). */
export const APP_ICONS_DIR = join(__dirname, '..', '..', '..', 'icons', 'app')

/** The default session's app:// handler: dist/renderer, read-only, with the console's CSP. */
export async function serveConsoleFile(request: Request): Promise<Response> {
  const headers = { ...SECURITY_HEADERS }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return new Response('method not allowed', {
      status: 405,
      headers: { ...headers, Allow: 'GET, HEAD' },
    })
  }
  const rawPath = appRequestPath(request.url)
  const asset = rawPath === null ? null : await loadStaticAsset(RENDERER_DIR, rawPath)
  if (!asset) return new Response('not found', { status: 404, headers })
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(asset.body), {
    headers: { ...headers, 'Content-Type': asset.contentType, 'Cache-Control': asset.cacheControl },
  })
}

/**
 * The console window: at most one, opened at app://console/ with the preload as its only
 * bridge to main. Closing it leaves the issuer running; show() brings it back.
 */
export class ConsoleWindow {
  readonly #electron: Pick<ElectronMain, 'BrowserWindow' | 'app'>
  #window: Window | undefined

  constructor(electron: Pick<ElectronMain, 'BrowserWindow' | 'app'>) {
    this.#electron = electron
  }

  show(): void {
    const existing = this.#window
    if (existing && !existing.isDestroyed()) {
      if (existing.isMinimized()) existing.restore()
      existing.show()
      existing.focus()
      return
    }
    const { BrowserWindow, app } = this.#electron
    const window = new BrowserWindow({
      width: 1280,
      height: 820,
      minWidth: 900,
      minHeight: 600,
      show: false,
      title: PRODUCT_NAME,
      // Linux and Windows show it in the task switcher; macOS uses the bundle's icon.
      icon: join(APP_ICONS_DIR, 'icon.png'),
      webPreferences: {
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
        disableBlinkFeatures: 'Auxclick',
        preload: PRELOAD_FILE,
        devTools: !app.isPackaged,
      },
    })
    this.#window = window
    window.once('ready-to-show', () => window.show())
    window.on('closed', () => {
      if (this.#window === window) this.#window = undefined
    })
    void window.loadURL(`${APP_ORIGIN}/`)
  }

  /** Pushes an app event to the window, when it is open. */
  send(event: AppEvent): void {
    const window = this.#window
    if (window && !window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, event)
  }
}
