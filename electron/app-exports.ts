import type { AppEvents } from './api/app-events.js'
import type { SettingsStore } from './app-settings.js'
import { BundleKeeper } from './export/issuer-bundle.js'
import type { IssuerUrls } from './issuer/issuer-urls.js'
import type { KeyRing } from './keys/key-ring.js'
import type { Logger } from './platform/logger.js'

export interface ExportWiringDeps {
  /** The published URLs; read at each refresh, since the origin is set once the listener is up. */
  urls(): IssuerUrls
  keys: KeyRing
  settings: SettingsStore
  events: AppEvents
  /** The vault's wrapping key: only backup/ gets a copy of it. */
  vaultKey: Buffer
  log: Logger
}

/** What export/ and backup/ need from the composition root beyond the services themselves. */
export interface ExportWiring {
  /** Re-writes a kept static bundle; app.ts calls it when a retired key is purged. */
  refreshBundle(): void
  /** A copy of the vault's wrapping key, for a backup (App.wrappingKey). */
  wrappingKey(): Buffer
}

export function wireExports(deps: ExportWiringDeps): ExportWiring {
  // A kept static bundle follows the published JWKS (rotation, import; a purge in app.ts).
  const bundle = new BundleKeeper({
    urls: () => deps.urls(),
    jwksJson: () => deps.keys.jwksJson(),
    keptIn: () => deps.settings.get('issuerBundle')?.dir,
    log: deps.log,
  })
  deps.events.subscribe((e) => {
    if (e.type === 'key.rotated') bundle.refresh()
  })
  return {
    refreshBundle: () => bundle.refresh(),
    wrappingKey: () => Buffer.from(deps.vaultKey),
  }
}
