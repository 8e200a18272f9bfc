import Conf from 'conf'

/**
 * A JSON settings file with typed keys: conf headless, electron-store in the desktop app (the
 * same API over the same file). The adapter knows no schema: the app supplies it
 * (electron/app-settings.ts), so platform/ imports no domain.
 */
export interface SettingsStore<Data> {
  get<K extends keyof Data>(key: K): Data[K]
  set<K extends keyof Data>(key: K, value: Data[K]): void
  /** Several keys in one write of the file (all or none on disk), where the store can. */
  setMany?(values: Partial<Data>): void
  readonly path: string
}

/** Options both stores are opened with: one settings.json per data directory. */
export function storeOptions<Data>(dataDir: string, defaults: Data) {
  return {
    cwd: dataDir,
    defaults,
    // A corrupt file is a fact to report, not something to reset silently.
    clearInvalidConfig: false,
    configFileMode: 0o600,
  } as const
}

/**
 * Reads from memory, writes through. conf and electron-store read and parse the whole file on
 * every get, which put a disk read on the token endpoint's path; this process is the data
 * directory's only writer (it holds the lock), so memory is always current. Values are shared:
 * callers copy before they change anything.
 */
export function cachedSettings<Data>(store: SettingsStore<Data>): SettingsStore<Data> {
  const cache = new Map<keyof Data, unknown>()
  return {
    get path() {
      return store.path
    },
    get<K extends keyof Data>(key: K): Data[K] {
      if (!cache.has(key)) cache.set(key, store.get(key))
      return cache.get(key) as Data[K]
    },
    set<K extends keyof Data>(key: K, value: Data[K]): void {
      store.set(key, value)
      cache.set(key, value)
    },
    setMany(values: Partial<Data>): void {
      // conf and electron-store both take an object: one atomic write of the file.
      ;(store as unknown as { set(values: Partial<Data>): void }).set(values)
      for (const [key, value] of Object.entries(values)) cache.set(key as keyof Data, value)
    },
  }
}

/** Settings under plain Node: conf writes atomically (temp file, fsync, rename). */
export function openConfSettings<Data extends Record<string, unknown>>(
  dataDir: string,
  defaults: Data,
): SettingsStore<Data> {
  return cachedSettings(
    new Conf<Data>({
      ...storeOptions(dataDir, defaults),
      configName: 'settings',
      projectName: 'plgd-m2m-console',
    }),
  )
}
