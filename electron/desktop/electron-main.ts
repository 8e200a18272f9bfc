import type * as Electron from 'electron'

/**
 * The part of Electron's main-process API the desktop app uses. The entry (electron/main.ts)
 * passes the real module; a plain-Node test passes a stand-in. Desktop modules import electron
 * for types only, so loading them never loads Electron.
 */
export type ElectronMain = Pick<
  typeof Electron,
  | 'app'
  | 'BrowserWindow'
  | 'Menu'
  | 'Tray'
  | 'dialog'
  | 'ipcMain'
  | 'nativeImage'
  | 'protocol'
  | 'session'
  | 'shell'
>

export const PRODUCT_NAME = 'plgd M2M Console'
