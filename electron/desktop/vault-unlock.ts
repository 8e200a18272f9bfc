import { AppError } from '../../shared/errors.js'
import { openApp, type App } from '../app.js'
import type { Keychain } from '../platform/keychain.js'
import type { Logger } from '../platform/logger.js'
import type { SettingsStore } from '../app-settings.js'
import type { VaultChoice } from '../secrets/vault.js'
import type { ElectronMain } from './electron-main.js'
import { PRODUCT_NAME } from './electron-main.js'
import { PromptCancelled } from './passphrase-window.js'

export interface VaultUnlockOptions {
  dataDir: string
  openSettings(dataDir: string): SettingsStore
  keychain: Keychain
  log: Logger
  askPassphrase(
    kind: 'create' | 'unlock',
    dataDir: string,
    error: string | undefined,
  ): Promise<string>
  /** Tells the user the keychain is missing; true when they choose a passphrase vault. */
  offerPassphraseVault(reason: string): Promise<boolean>
}

/**
 * Opens the app on the data directory, choosing its vault explicitly, never silently:
 * - an existing vault opens as it was created (a passphrase vault asks for its passphrase);
 * - a new data directory uses the OS keychain; when the keychain is unavailable the user is
 *   told why and offered the passphrase vault, or quits. Nothing is ever stored in plaintext.
 * The passphrase is asked before the console exists because the console's data needs the vault.
 */
export async function openVaultedApp(options: VaultUnlockOptions): Promise<App> {
  const { dataDir, keychain, log } = options
  let choice: VaultChoice | undefined
  let retryMessage: string | undefined
  for (;;) {
    const settings = options.openSettings(dataDir)
    const vault = settings.get('vault')
    const firstRun = vault === undefined
    const passphraseVault = vault?.mode === 'passphrase'
    const error = retryMessage
    try {
      return await openApp({
        dataDir,
        settings,
        keychain,
        log,
        vaultChoice: choice,
        passphrase: () => options.askPassphrase(firstRun ? 'create' : 'unlock', dataDir, error),
        signingThread: true,
      })
    } catch (err) {
      retryMessage = undefined
      if (!(err instanceof AppError)) throw err
      if (err.code === 'keychain_unavailable' && firstRun && choice === undefined) {
        if (!(await options.offerPassphraseVault(err.message))) throw new PromptCancelled()
        choice = 'passphrase'
        continue
      }
      if (err.code === 'vault_locked' && passphraseVault) {
        retryMessage = 'Wrong passphrase; try again.'
        continue
      }
      throw err
    }
  }
}

/** The dialog that offers the passphrase vault when the OS keychain is missing. */
export function passphraseVaultOffer(
  dialog: ElectronMain['dialog'],
): (reason: string) => Promise<boolean> {
  return async (reason) => {
    const { response } = await dialog.showMessageBox({
      type: 'warning',
      title: PRODUCT_NAME,
      message: 'The OS keychain is not available',
      detail:
        `${reason}\n\nThe console seals its signing keys and secrets under a wrapping key that ` +
        'normally lives in the OS keychain. Instead, it can derive that key from a passphrase you ' +
        'type at every start. Secrets are never stored in plaintext.',
      buttons: ['Use a passphrase', 'Quit'],
      defaultId: 0,
      cancelId: 1,
      noLink: true,
    })
    return response === 0
  }
}
