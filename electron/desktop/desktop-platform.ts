import { SETTINGS_DEFAULTS } from '../app-settings.js'
import { electronDataDir, pinUserDataDir } from '../platform/electron-paths.js'
import { openElectronSettings } from '../platform/electron-settings.js'
import { keytarKeychain } from '../platform/keychain.js'
import { createLogger } from '../platform/logger.js'
import type { DesktopPlatform } from './start-desktop.js'

/**
 * The desktop app's platform: Electron's userData (or $PLGD_M2M_DATA_DIR) as the data directory,
 * electron-store settings and the OS keychain. Loads electron, so only the entry imports it.
 */
export function desktopPlatform(): DesktopPlatform {
  return {
    pinUserDataDir,
    dataDir: electronDataDir,
    openSettings: (dataDir) => openElectronSettings(dataDir, SETTINGS_DEFAULTS),
    keychain: keytarKeychain,
    log: createLogger({ json: false }),
  }
}
