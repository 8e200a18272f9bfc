import type { LocalStatus } from '../../shared/contract/index.js'
import type { PlgdClient } from '../plgd/plgd-client.js'

/**
 * What the console keeps of a client-application it initialised (settings.json `clientApp.apps`,
 * by URL). The PSK key is only ever stored sealed with the vault's wrapping key.
 */
export interface StoredClientApp {
  url: string
  mode: 'PRE_SHARED_KEY' | 'X509'
  owner: string
  /** X509: the client of our issuer whose tokens authorise the calls. */
  clientId: string | null
  /** X509 with remote provisioning: the hub profile whose certificate-authority signs CSRs. */
  hub: string | null
  /** PSK mode: the key given as `preSharedKey.key`, sealed (AAD names the URL and owner). */
  pskSealed: string | null
  initializedAt: number
}

/**
 * An opened client-application: its URL, what this console initialised it with, and a client
 * for its API that follows plgd's conventions (interop §0) and, in X509 mode, carries a bearer
 * minted from the initialising client (recorded in the ledger like any token). Implemented by
 * local/client-apps.ts; used by every local use case.
 */
export interface ClientAppContext {
  readonly url: string
  /** null when this console did not initialise it (PSK with a key set elsewhere, say). */
  readonly record: StoredClientApp | null
  readonly client: PlgdClient
  /** The owner devices owned through it belong to (ours, else what it reports); null if unknown. */
  owner(signal?: AbortSignal): Promise<string | null>
  /** `/.well-known/configuration` read now, with the problems that stop local work. */
  status(signal?: AbortSignal): Promise<LocalStatus>
}

/** The client-applications, as the use cases see them. */
export interface ClientAppDirectory {
  /** The one at `url`, or at the `clientApp.url` setting (http://localhost:8080 by default). */
  open(url?: string): ClientAppContext
  /** The URL a call without one uses. */
  defaultUrl(): string
}
