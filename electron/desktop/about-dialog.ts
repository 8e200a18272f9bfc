import type { AboutView } from '../../shared/contract/index.js'
import { aboutView, installedManifest, type Manifest } from '../api/methods/about.js'
import type { ElectronMain } from './electron-main.js'

/**
 * About as main knows it before the data directory is open (a passphrase prompt, a failed
 * start): the vault mode is only known once the vault is. The data directory is the one the
 * desktop app opens: $PLGD_M2M_DATA_DIR, else userData (platform/electron-paths.ts).
 */
export type AboutFacts = Omit<AboutView, 'vault'> & { vault: AboutView['vault'] | null }

export function aboutBeforeOpen(
  app: Pick<ElectronMain['app'], 'getPath'>,
  env: NodeJS.ProcessEnv = process.env,
  versions: Partial<Record<string, string>> = process.versions,
  manifest: Manifest = installedManifest(),
): AboutFacts {
  const dataDir = env.PLGD_M2M_DATA_DIR || app.getPath('userData')
  return { ...aboutView({ dataDir, vaultMode: 'keychain', manifest, versions }), vault: null }
}

/** The native message box's text: one fact a line, so it can be copied into a bug report. */
export function aboutDialogText(about: AboutFacts): { message: string; detail: string } {
  return {
    message: `${about.productName} ${about.version}`,
    detail: [
      `Version: ${about.version}`,
      `Electron: ${about.electron ?? 'none (headless)'}`,
      `Chromium: ${about.chromium ?? 'none (headless)'}`,
      `Node: ${about.node}`,
      `Data directory: ${about.dataDir}`,
      `Vault: ${about.vault?.mode ?? 'not open yet'}`,
      `Licence: ${about.license}`,
    ].join('\n'),
  }
}

/** Shows About in a native dialog (the menu's Help › About, also before the console opens). */
export async function showAboutDialog(
  dialog: Pick<ElectronMain['dialog'], 'showMessageBox'>,
  about: AboutFacts,
): Promise<void> {
  const { message, detail } = aboutDialogText(about)
  await dialog.showMessageBox({
    type: 'info',
    title: `About ${about.productName}`,
    message,
    detail,
    buttons: ['OK'],
    noLink: true,
  })
}
