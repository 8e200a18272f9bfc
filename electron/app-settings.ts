/**
 * The schema of settings.json, defaults included: the one place that knows what each domain
 * keeps there. The file itself is read and written by platform/settings-store.ts.
 */
import {
  DEFAULT_DEVICE_ID_CLAIM,
  DEFAULT_ISSUER_PORT,
  DEFAULT_LISTEN_HOST,
  DEFAULT_MAX_LIFETIME_SECONDS,
  DEFAULT_OWNER_CLAIM,
} from '../shared/constants.js'
import type { TrustedAuthority } from '../shared/contract/index.js'
import type { ClientRecord } from './clients/client-record.js'
import type { StoredKey } from './keys/key-ring.js'
import type { StoredClientApp } from './local/client-app-context.js'
import type { StoredHub } from './plgd/hub-profiles.js'
import { openConfSettings, type SettingsStore as Store } from './platform/settings-store.js'
import type {
  IntegrityRecord,
  IntegritySection,
  IntegrityStore,
  SettingsIntegrity,
} from './secrets/settings-integrity.js'
import type { VaultConfig } from './secrets/vault.js'
import type { StoredTls } from './tls/local-ca.js'

export interface IssuerSettings {
  listenHost: string
  port: number
  /** Host name (or IP) hubs use to reach the issuer on the LAN; goes into the certificate. */
  publicHost: string | null
  ownerClaim: string
  deviceIdClaim: string
  /** Global cap on any token's lifetime. */
  maxLifetimeSeconds: number
  /** Seconds `iat` is set in the past, for hubs whose clock runs behind (plgd allows none). */
  iatBackdateSeconds: number
  /** How long expired token records stay in the ledger before the purge. */
  ledgerRetentionSeconds: number
  /** Other authorities whose users may call the tokens API (plgd: the customer's OAuth server). */
  trustedAuthorities: TrustedAuthority[]
  /**
   * An always-on issuer: discovery advertises plgd's tokens endpoint (revocations reach hubs).
   * Honoured by `serve` and the desktop app; `serve --station` turns it on for one run.
   */
  station: boolean
}

// A type, not an interface: the store's `Record<string, unknown>` bound needs an index signature.
export type SettingsData = {
  /** The console's first-run set-up was completed (or the CLI was used without it). */
  setupCompleted?: boolean
  vault?: VaultConfig
  /** HMAC key for client-secret hashes, sealed with the wrapping key. */
  pepperSealed?: string
  issuer: IssuerSettings
  clients: Record<string, ClientRecord>
  keys: StoredKey[]
  tls?: StoredTls
  /** The bulk-job runner (jobs/): requests in flight per job unless the job says otherwise. */
  jobs?: { concurrency: number }
  /** Hub profiles by name (plgd/hub-profiles.ts); a pasted token only sealed. */
  hubs?: Record<string, StoredHub>
  /**
   * plgd client-application (local/): the URL local commands use unless they name one, and what
   * this console initialised at each URL (a PSK key only sealed).
   */
  clientApp?: { url: string; apps: Record<string, StoredClientApp> }
  /** The static issuer bundle main re-writes when the published JWKS changes (export/issuer-bundle.ts). */
  issuerBundle?: { dir: string } | null
  /**
   * The tag over clients, issuer.trustedAuthorities and keys, and the audit log's anchored head
   * (secrets/settings-integrity.ts): a change made outside this program is refused at start.
   */
  integrity?: IntegrityRecord
}

/** Requests in flight per bulk job when neither the job nor `settings set` says otherwise. */
export const DEFAULT_JOB_CONCURRENCY = 16

/** The app's settings.json: what each domain stores, over the platform's store. */
export type SettingsStore = Store<SettingsData>

export const SETTINGS_DEFAULTS: SettingsData = {
  issuer: {
    listenHost: DEFAULT_LISTEN_HOST,
    port: DEFAULT_ISSUER_PORT,
    publicHost: null,
    ownerClaim: DEFAULT_OWNER_CLAIM,
    deviceIdClaim: DEFAULT_DEVICE_ID_CLAIM,
    maxLifetimeSeconds: DEFAULT_MAX_LIFETIME_SECONDS,
    iatBackdateSeconds: 0,
    ledgerRetentionSeconds: 7 * 24 * 3600,
    trustedAuthorities: [],
    station: false,
  },
  clients: {},
  keys: [],
  jobs: { concurrency: DEFAULT_JOB_CONCURRENCY },
}

/** The app's settings under plain Node (conf). */
export function openHeadlessSettings(dataDir: string): SettingsStore {
  return openConfSettings(dataDir, SETTINGS_DEFAULTS)
}

/** The authenticated sections as settings.json holds them (defaults for what an old file lacks). */
export function integrityStore(settings: SettingsStore): IntegrityStore {
  return {
    read: {
      clients: () => settings.get('clients') ?? {},
      trustedAuthorities: () => settings.get('issuer')?.trustedAuthorities ?? [],
      keys: () => settings.get('keys') ?? [],
    },
    load: () => settings.get('integrity'),
    save: (record) => settings.set('integrity', record),
  }
}

/**
 * The settings the app writes through: a write of an authenticated section re-tags it, in the
 * same file write where the store can. Only those writes pay (an HMAC); issuing tokens writes no
 * settings.
 */
export function integrityGuarded(
  settings: SettingsStore,
  integrity: SettingsIntegrity,
): SettingsStore {
  const sectionOf = <K extends keyof SettingsData>(
    key: K,
    value: SettingsData[K],
  ): [IntegritySection, unknown] | undefined => {
    if (key === 'clients') return ['clients', value ?? {}]
    if (key === 'keys') return ['keys', value ?? []]
    if (key === 'issuer') {
      return ['trustedAuthorities', (value as IssuerSettings | undefined)?.trustedAuthorities ?? []]
    }
    return undefined
  }
  return {
    get path() {
      return settings.path
    },
    get: (key) => settings.get(key),
    set(key, value) {
      const section = sectionOf(key, value)
      const next = section && integrity.prepare(...section)
      if (!next) return settings.set(key, value)
      if (settings.setMany) {
        settings.setMany({ [key]: value, integrity: next.record } as Partial<SettingsData>)
      } else {
        settings.set(key, value)
        settings.set('integrity', next.record)
      }
      next.commit()
    },
  }
}
