import { app } from 'electron'
import { join, resolve } from 'node:path'

/** The folder name the CLI's defaultDataDir() uses under the per-user app-data folder. */
const APP_DIR_NAME = 'plgd-m2m-console'

/**
 * Pins Electron's userData to the folder the CLI uses (appData/plgd-m2m-console), whatever
 * product name a package gives the app. Call before `ready`: Chromium's profile lives there too.
 */
export function pinUserDataDir(): void {
  app.setPath('userData', join(app.getPath('appData'), APP_DIR_NAME))
}

/** The data directory of the desktop app: $PLGD_M2M_DATA_DIR, else userData. */
export function electronDataDir(): string {
  const fromEnv = process.env.PLGD_M2M_DATA_DIR
  return fromEnv ? resolve(fromEnv) : app.getPath('userData')
}
