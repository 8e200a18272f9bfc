import ElectronStore from 'electron-store'
import { cachedSettings, storeOptions, type SettingsStore } from './settings-store.js'

/**
 * Settings in the desktop app: electron-store over the same file, with the same options, as
 * `openConfSettings` (conf), so `serve` and the window read one settings.json.
 */
export function openElectronSettings<Data extends Record<string, unknown>>(
  dataDir: string,
  defaults: Data,
): SettingsStore<Data> {
  return cachedSettings(
    new ElectronStore<Data>({ ...storeOptions(dataDir, defaults), name: 'settings' }),
  )
}
