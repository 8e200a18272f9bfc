import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AboutView, aboutMethods } from '../../../shared/contract/index.js'
import type { VaultMode } from '../../../shared/enums.js'
import { PRODUCT_NAME } from '../../desktop/electron-main.js'
import { packageRoot } from '../../platform/install-paths.js'
import type { DomainTable, MethodContext } from './method-table.js'

/** The package.json fields About shows. */
export interface Manifest {
  version: string
  license: string
}

export interface AboutSources {
  dataDir: string
  vaultMode: VaultMode
  manifest: Manifest
  /** process.versions: Electron adds `electron` and `chrome`, plain Node has neither. */
  versions: Partial<Record<string, string>>
}

/** About from what the running process knows; headless (no Electron) shows null runtimes. */
export function aboutView({ dataDir, vaultMode, manifest, versions }: AboutSources): AboutView {
  return {
    productName: PRODUCT_NAME,
    version: manifest.version,
    electron: versions.electron ?? null,
    chromium: versions.chrome ?? null,
    node: versions.node ?? process.version.replace(/^v/, ''),
    dataDir,
    vault: { mode: vaultMode },
    license: manifest.license,
  }
}

let manifest: Manifest | undefined

/** The installed package's manifest, read once (it does not change while the app runs). */
export function installedManifest(): Manifest {
  manifest ??= JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as Manifest
  return manifest
}

export function implementAbout({ app }: MethodContext): DomainTable<typeof aboutMethods> {
  return {
    'about.get': () =>
      aboutView({
        dataDir: app.dataDir,
        vaultMode: app.vault.mode,
        manifest: installedManifest(),
        versions: process.versions,
      }),
  }
}
