import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { NativeImage, Tray as TrayIcon } from 'electron'
import { APP_ICONS_DIR } from './console-window.js'
import type { ElectronMain } from './electron-main.js'
import { PRODUCT_NAME } from './electron-main.js'

export interface IssuerState {
  running: boolean
  issuer: string
}

/** The tray icon the app lives in while its window is closed: issuer status, open, quit. */
export class DesktopTray {
  readonly #electron: Pick<ElectronMain, 'Tray' | 'Menu' | 'nativeImage'>
  readonly #actions: { openConsole(): void; quit(): void }
  #tray: TrayIcon | undefined
  #state: IssuerState = { running: false, issuer: '' }

  constructor(
    electron: Pick<ElectronMain, 'Tray' | 'Menu' | 'nativeImage'>,
    actions: { openConsole(): void; quit(): void },
  ) {
    this.#electron = electron
    this.#actions = actions
  }

  create(state: IssuerState): void {
    this.#state = state
    this.#tray = new this.#electron.Tray(trayIcon(this.#electron.nativeImage, APP_ICONS_DIR))
    this.update(state)
  }

  update(state: IssuerState): void {
    this.#state = state
    const tray = this.#tray
    if (!tray || tray.isDestroyed()) return
    const { running, issuer } = this.#state
    const status = running ? 'Issuer running' : 'Issuer stopped'
    tray.setToolTip(`${PRODUCT_NAME}: ${status}${running ? ` at ${issuer}` : ''}`)
    tray.setContextMenu(
      this.#electron.Menu.buildFromTemplate([
        { label: status, enabled: false },
        ...(running ? [{ label: issuer, enabled: false }] : []),
        { type: 'separator' },
        { label: 'Open console', click: () => this.#actions.openConsole() },
        { type: 'separator' },
        { label: 'Quit', click: () => this.#actions.quit() },
      ]),
    )
  }

  destroy(): void {
    this.#tray?.destroy()
    this.#tray = undefined
  }
}

/**
 * The app icon at tray size (tray.png, with tray@2x.png for high-DPI screens, which Electron
 * picks up by name). A build without the rendered icons (sources run before `npm run build`)
 * gets a 16×16 disc in plgd blue drawn here, so the tray is never empty.
 */
export function trayIcon(nativeImage: ElectronMain['nativeImage'], iconsDir: string): NativeImage {
  const file = join(iconsDir, 'tray.png')
  if (existsSync(file)) {
    const rendered = nativeImage.createFromPath(file)
    if (!rendered.isEmpty()) return rendered
  }
  const size = 16
  const bitmap = Buffer.alloc(size * size * 4)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x + 0.5 - size / 2, y + 0.5 - size / 2)
      const alpha = Math.round(255 * Math.min(1, Math.max(0, size / 2 - 0.5 - d + 1)))
      bitmap.set([0xd4, 0x6b, 0x1f, alpha], (y * size + x) * 4) // BGRA
    }
  }
  return nativeImage.createFromBitmap(bitmap, { width: size, height: size })
}
