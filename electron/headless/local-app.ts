import { resolve } from 'node:path'
import { openApp, type App } from '../app.js'
import { keytarKeychain } from '../platform/keychain.js'
import type { Logger } from '../platform/logger.js'
import { ensureDataDir } from '../platform/paths.js'
import { openHeadlessSettings } from '../app-settings.js'
import type { VaultChoice } from '../secrets/vault.js'
import { passphraseSource } from './passphrase.js'

export interface HeadlessOptions {
  dataDir: string
  log: Logger
  vault?: VaultChoice | undefined
  vaultPassphraseFile?: string | undefined
  signingThread?: boolean
  /** `serve --accept-settings-change`: re-tag settings.json changed outside the program. */
  acceptSettingsChange?: boolean | undefined
}

/** The app on plain Node: conf for settings, keytar for the keychain. */
export async function openHeadlessApp(options: HeadlessOptions): Promise<App> {
  const dataDir = ensureDataDir(resolve(options.dataDir))
  return openApp({
    dataDir,
    settings: openHeadlessSettings(dataDir),
    keychain: keytarKeychain(),
    log: options.log,
    vaultChoice: options.vault,
    passphrase: passphraseSource(options.vaultPassphraseFile),
    signingThread: options.signingThread ?? false,
    acceptSettingsChange: options.acceptSettingsChange,
  })
}
