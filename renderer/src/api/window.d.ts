import type { ConsoleApi } from '../../../shared/console-api'

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge); absent when served headless. */
    readonly plgdConsole?: ConsoleApi
  }
}

/** The renderer's window, with what the preload may have exposed (importing this loads the global). */
export type ConsoleWindow = Window
