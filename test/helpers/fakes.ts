import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_CLIENT_LIFETIME_SECONDS } from '../../shared/constants.js'
import { clientPolicySchema } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import type { App, AppOptions } from '../../electron/app.js'
import type { ClientRecord } from '../../electron/clients/client-record.js'
import type { Keychain } from '../../electron/platform/keychain.js'
import type { Logger } from '../../electron/platform/logger.js'
import {
  SETTINGS_DEFAULTS,
  type SettingsData,
  type SettingsStore,
} from '../../electron/app-settings.js'

/**
 * How the fake keychain behaves:
 * - `available`: a plain Map;
 * - `unreachable`: every call throws, as keytar does when D-Bus / the Secret Service is absent
 *   (wrapped the way electron/platform/keychain.ts wraps it);
 * - `locked`: a locked collection: set() reports success but keeps nothing, get() returns null.
 */
export type KeychainMode = 'available' | 'unreachable' | 'locked'

export const DBUS_ERROR = 'Cannot autolaunch D-Bus without X11 $DISPLAY'

export class FakeKeychain implements Keychain {
  readonly entries = new Map<string, string>()
  readonly calls: string[] = []
  mode: KeychainMode

  constructor(mode: KeychainMode = 'available') {
    this.mode = mode
  }

  async get(service: string, account: string): Promise<string | null> {
    this.#enter('get', 'be read', service, account)
    if (this.mode === 'locked') return null
    return this.entries.get(entryKey(service, account)) ?? null
  }

  async set(service: string, account: string, secret: string): Promise<void> {
    this.#enter('set', 'be written', service, account)
    if (this.mode === 'locked') return
    this.entries.set(entryKey(service, account), secret)
  }

  async delete(service: string, account: string): Promise<boolean> {
    this.#enter('delete', 'be written', service, account)
    if (this.mode === 'locked') return false
    return this.entries.delete(entryKey(service, account))
  }

  #enter(call: string, what: string, service: string, account: string): void {
    this.calls.push(`${call} ${service} ${account}`)
    if (this.mode === 'unreachable') {
      const cause = new Error(DBUS_ERROR)
      throw new AppError('keychain_unavailable', `the OS keychain cannot ${what}: ${DBUS_ERROR}`, {
        cause,
      })
    }
  }
}

function entryKey(service: string, account: string): string {
  return `${service}\u0000${account}`
}

/**
 * SettingsStore in memory. Values go through JSON on the way in and out, as they do with
 * conf / electron-store, so a test sees exactly what would reach the settings file.
 */
export class MemorySettings implements SettingsStore {
  readonly path = '/memory/settings.json'
  /** Set to make set() throw (for every key, or only the listed ones). */
  failSet: boolean | (keyof SettingsData)[] = false
  readonly writes: (keyof SettingsData)[] = []
  #json = new Map<keyof SettingsData, string>()

  constructor(initial: Partial<SettingsData> = {}) {
    const data = { ...structuredClone(SETTINGS_DEFAULTS), ...initial }
    for (const [key, value] of Object.entries(data)) {
      if (value !== undefined) this.#json.set(key as keyof SettingsData, JSON.stringify(value))
    }
  }

  get<K extends keyof SettingsData>(key: K): SettingsData[K] {
    const json = this.#json.get(key)
    return (json === undefined ? undefined : JSON.parse(json)) as SettingsData[K]
  }

  set<K extends keyof SettingsData>(key: K, value: SettingsData[K]): void {
    if (this.failSet === true || (Array.isArray(this.failSet) && this.failSet.includes(key))) {
      throw new Error(`EACCES: permission denied, open '${this.path}' (writing ${key})`)
    }
    this.writes.push(key)
    this.#json.set(key, JSON.stringify(value))
  }

  /** The whole file as it would be written to disk. */
  fileText(): string {
    return JSON.stringify(Object.fromEntries([...this.#json].map(([k, v]) => [k, JSON.parse(v)])))
  }
}

/** A clock that moves only when told to. */
export class FixedClock {
  now: number

  constructor(now = 1_700_000_000) {
    this.now = now
  }

  readonly nowSeconds = (): number => this.now

  advance(seconds: number): number {
    this.now += seconds
    return this.now
  }
}

/** A logger that keeps what it was given. */
export function recordingLogger(): Logger & {
  entries: { level: string; message: string; fields: Record<string, unknown> | undefined }[]
} {
  const entries: { level: string; message: string; fields: Record<string, unknown> | undefined }[] =
    []
  const at =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      entries.push({ level, message, fields })
    }
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

/**
 * A client record as the registry stores it, for policy and claims tests. The policy fields
 * come from the contract's own defaults, so the record stays complete as the contract grows.
 */
export function clientRecord(overrides: Partial<ClientRecord> = {}): ClientRecord {
  const policy = clientPolicySchema.parse({ owner: '1' })
  return {
    ...policy,
    id: 'console-dps',
    maxLifetimeSeconds: DEFAULT_CLIENT_LIFETIME_SECONDS,
    disabled: false,
    createdAt: 1_700_000_000,
    updatedAt: 1_700_000_000,
    secrets: [],
    ...overrides,
  }
}

export interface TestApp {
  app: App
  dataDir: string
  settings: MemorySettings
  keychain: FakeKeychain
  clock: FixedClock
  log: ReturnType<typeof recordingLogger>
  close(): void
}

/** A real App over the fakes, in a fresh temp directory (the SQLite ledger needs one). */
export async function openTestApp(
  options: Partial<Pick<AppOptions, 'throttle' | 'defaultAlg'>> & { clock?: FixedClock } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'plgd-m2m-unit-'))
  const settings = new MemorySettings()
  const keychain = new FakeKeychain()
  const clock = options.clock ?? new FixedClock()
  const log = recordingLogger()
  try {
    // Loaded here so the other tests do not pay for SQLite and the whole app graph.
    const { openApp } = await import('../../electron/app.js')
    const app = await openApp({
      dataDir,
      settings,
      keychain,
      log,
      nowSeconds: clock.nowSeconds,
      ...(options.throttle ? { throttle: options.throttle } : {}),
      ...(options.defaultAlg ? { defaultAlg: options.defaultAlg } : {}),
    })
    return {
      app,
      dataDir,
      settings,
      keychain,
      clock,
      log,
      close() {
        app.close()
        rmSync(dataDir, { recursive: true, force: true })
      },
    }
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true })
    throw err
  }
}
