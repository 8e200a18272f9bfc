import { DEFAULT_CLIENT_APP_URL, type LocalStatus } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import { CachedBearer, type MintedBearer } from '../plgd/hub-bearer.js'
import type { PlgdClient } from '../plgd/plgd-client.js'
import type { SealedBox } from '../secrets/sealed-box.js'
import type { ClientAppContext, ClientAppDirectory, StoredClientApp } from './client-app-context.js'
import { readStatus, STATUS_TIMEOUT_MS, type ClientState } from './client-app-status.js'

/** settings.json `clientApp`: the default URL and what this console initialised, by URL. */
export interface ClientAppSettings {
  url: string
  apps: Record<string, StoredClientApp>
}

/** What a client for client-application's API is made with (plgd conventions, interop §0). */
export interface ClientAppClientOptions {
  baseUrl: string
  /** X509 mode: a bearer of the initialising client; absent in PSK mode and for the status. */
  bearer?: (() => Promise<string>) | undefined
  /** The owner the bearer carries, for a 403's message. */
  owner?: string | undefined
  timeoutMs?: number
  maxRetries?: number
}

export interface ClientAppsDeps {
  load(): ClientAppSettings | undefined
  save(value: ClientAppSettings): void
  sealer: SealedBox
  clientState(clientId: string): ClientState
  /** A bearer of `clientId` carrying `owner`, recorded in the ledger and the audit log. */
  mintBearer(url: string, clientId: string, owner: string): Promise<MintedBearer>
  makeClient(options: ClientAppClientOptions): PlgdClient
  nowSeconds(): number
}

/** An opened client-application, with what the local use cases need beyond the seam. */
export interface ClientAppHandle extends ClientAppContext {
  /** X509 mode: a bearer of our issuer for the stored client and owner; undefined in PSK mode. */
  readonly bearer: (() => Promise<string>) | undefined
  /** A client whose silence may last `timeoutMs` (discovery waits for devices to answer). */
  clientWith(timeoutMs: number): PlgdClient
}

/** A URL as the records key it: no trailing slash. */
export function normaliseUrl(url: string): string {
  return url.trim().replace(/\/+$/, '')
}

const pskAad = (url: string, owner: string): string => `client-app-psk:${url}:${owner}`

/**
 * The client-applications this console talks to (the `clientApp` settings): the default URL,
 * the records of what it initialised (a PSK key only sealed, its AAD naming URL and owner) and,
 * in X509 mode, bearers minted from the stored client for the stored owner, cached until
 * shortly before they expire.
 */
export class ClientApps implements ClientAppDirectory {
  readonly #deps: ClientAppsDeps
  readonly #bearers = new Map<string, CachedBearer>()

  constructor(deps: ClientAppsDeps) {
    this.#deps = deps
  }

  defaultUrl(): string {
    return normaliseUrl(this.#deps.load()?.url ?? DEFAULT_CLIENT_APP_URL)
  }

  record(url: string): StoredClientApp | null {
    return this.#deps.load()?.apps[normaliseUrl(url)] ?? null
  }

  saveRecord(record: StoredClientApp): void {
    const current = this.#deps.load()
    const url = normaliseUrl(record.url)
    this.#deps.save({
      url: current?.url ?? DEFAULT_CLIENT_APP_URL,
      apps: { ...current?.apps, [url]: { ...record, url } },
    })
    // A new client or owner: the cached bearer is for the old one.
    for (const key of this.#bearers.keys()) if (key.startsWith(`${url}|`)) this.#bearers.delete(key)
  }

  /** The PSK key sealed for this URL and owner: moved elsewhere, it does not open. */
  sealKey(url: string, owner: string, key: string): string {
    return this.#deps.sealer.seal(Buffer.from(key, 'utf8'), pskAad(normaliseUrl(url), owner))
  }

  openKey(record: StoredClientApp): string | null {
    if (record.pskSealed === null) return null
    return this.#deps.sealer
      .open(record.pskSealed, pskAad(normaliseUrl(record.url), record.owner))
      .toString('utf8')
  }

  /** A bearer of `clientId` for `owner` at `url`, minted once and reused until near expiry. */
  bearerFor(url: string, clientId: string, owner: string): () => Promise<string> {
    const key = `${normaliseUrl(url)}|${clientId}|${owner}`
    let cached = this.#bearers.get(key)
    if (!cached) {
      cached = new CachedBearer(
        () => this.#deps.mintBearer(normaliseUrl(url), clientId, owner),
        () => this.#deps.nowSeconds(),
      )
      this.#bearers.set(key, cached)
    }
    const shared = cached
    return () => shared.get()
  }

  /** A client for `url` with the bearer given (none: PSK mode, or before X509 initialisation). */
  clientFor(url: string, bearer?: () => Promise<string>, owner?: string): PlgdClient {
    return this.#deps.makeClient({ baseUrl: normaliseUrl(url), bearer, owner })
  }

  open(url?: string): ClientAppHandle {
    const base = normaliseUrl(url ?? this.defaultUrl())
    if (!/^https?:\/\/[^/]/.test(base)) {
      throw new AppError(
        'invalid_input',
        `the client-application URL must look like http://localhost:8080, not ${base}: give --client-app URL`,
      )
    }
    const record = this.record(base)
    const bearer =
      record?.mode === 'X509' && record.clientId !== null
        ? this.bearerFor(base, record.clientId, record.owner)
        : undefined
    const make = this.#deps.makeClient
    const owner = record?.owner
    const anonymous = make({ baseUrl: base, timeoutMs: STATUS_TIMEOUT_MS, maxRetries: 0 })
    const status = (signal?: AbortSignal): Promise<LocalStatus> =>
      readStatus(
        anonymous,
        { url: base, record, clientState: (id) => this.#deps.clientState(id) },
        signal,
      )
    return {
      url: base,
      record,
      client: make({ baseUrl: base, bearer, owner }),
      bearer,
      clientWith: (timeoutMs) => make({ baseUrl: base, bearer, owner, timeoutMs }),
      status,
      owner: async (signal) => record?.owner ?? (await status(signal)).owner,
    }
  }
}
