import ElectronStore from 'electron-store'
import {
  cachedSettings,
  SETTINGS_DEFAULTS,
  type SettingsData,
  type SettingsStore,
} from './settings.js'

/**
 * Settings in the desktop app: electron-store over the same file, with the same options, as
 * `openHeadlessSettings` (conf), so `serve` and the window read one settings.json.
 */
export function openElectronSettings(dataDir: string): SettingsStore {
  return cachedSettings(
    new ElectronStore<SettingsData>({
      cwd: dataDir,
      name: 'settings',
      defaults: SETTINGS_DEFAULTS,
      // A corrupt file is a fact to report, not something to reset silently.
      clearInvalidConfig: false,
      configFileMode: 0o600,
    }),
  )
}
