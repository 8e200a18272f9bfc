import Conf from 'conf'
import {
  DEFAULT_DEVICE_ID_CLAIM,
  DEFAULT_ISSUER_PORT,
  DEFAULT_LISTEN_HOST,
  DEFAULT_MAX_LIFETIME_SECONDS,
  DEFAULT_OWNER_CLAIM,
} from '../../shared/constants.js'
import type { TrustedAuthority } from '../../shared/contract/index.js'
import type { ClientRecord } from '../clients/client-record.js'
import type { StoredKey } from '../keys/key-ring.js'
import type { VaultConfig } from '../secrets/vault.js'
import type { StoredTls } from '../tls/local-ca.js'

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
}

export interface SettingsData {
  /** The console's first-run set-up was completed (or the CLI was used without it). */
  setupCompleted?: boolean
  vault?: VaultConfig
  /** HMAC key for client-secret hashes, sealed with the wrapping key. */
  pepperSealed?: string
  issuer: IssuerSettings
  clients: Record<string, ClientRecord>
  keys: StoredKey[]
  tls?: StoredTls
}

/** The slice of electron-store's API the app uses; `conf` (headless) has the same one. */
export interface SettingsStore {
  get<K extends keyof SettingsData>(key: K): SettingsData[K]
  set<K extends keyof SettingsData>(key: K, value: SettingsData[K]): void
  readonly path: string
}

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
  },
  clients: {},
  keys: [],
}

/**
 * Reads from memory, writes through. conf and electron-store read and parse the whole file on
 * every get, which put a disk read on the token endpoint's path; this process is the data
 * directory's only writer (it holds the lock), so memory is always current. Values are shared:
 * callers copy before they change anything.
 */
export function cachedSettings(store: SettingsStore): SettingsStore {
  const cache = new Map<keyof SettingsData, unknown>()
  return {
    get path() {
      return store.path
    },
    get<K extends keyof SettingsData>(key: K): SettingsData[K] {
      if (!cache.has(key)) cache.set(key, store.get(key))
      return cache.get(key) as SettingsData[K]
    },
    set<K extends keyof SettingsData>(key: K, value: SettingsData[K]): void {
      store.set(key, value)
      cache.set(key, value)
    },
  }
}

/** Settings under plain Node: conf writes atomically (temp file, fsync, rename). */
export function openHeadlessSettings(dataDir: string): SettingsStore {
  return cachedSettings(
    new Conf<SettingsData>({
      cwd: dataDir,
      configName: 'settings',
      projectName: 'plgd-m2m-console',
      defaults: SETTINGS_DEFAULTS,
      // A corrupt file is a fact to report, not something to reset silently.
      clearInvalidConfig: false,
      configFileMode: 0o600,
    }),
  )
}
