import type { VaultMode } from '../enums.js'
import { emptyInput } from './common.js'

/**
 * What the About dialog (console and menu) and `about` on the CLI show: which build this is,
 * on which runtime, where its data lives and under which licence.
 */
export interface AboutView {
  productName: string
  /** The app's version (package.json), as `--version` prints it. */
  version: string
  /** Electron's and Chromium's versions; null when the app runs headless (plain Node). */
  electron: string | null
  chromium: string | null
  node: string
  /** The data directory the running app opened. */
  dataDir: string
  vault: { mode: VaultMode }
  /** SPDX identifier of the app's licence; the full text is the LICENSE file it ships with. */
  license: string
}

export const aboutMethods = {
  'about.get': { input: emptyInput, output: {} as AboutView },
} as const
