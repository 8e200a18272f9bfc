import type { HubView } from '../../shared/contract/index.js'
import type { PlgdClient } from './plgd-client.js'

export type HubService = 'gateway' | 'dps' | 'snippets'

/**
 * An opened hub profile: its resolved settings (discovery with overrides) and a client for each
 * of its services. Implemented by plgd/hub-profiles.ts; used by every plgd use case.
 */
export interface HubContext {
  readonly profile: HubView
  /**
   * The owner the console's bearer carries: the auth client's owner, or the pasted token's
   * owner claim. plgd takes the owner of every call from the bearer.
   */
  readonly owner: string
  /** A bearer for the hub's APIs: minted (and recorded in the ledger) or the pasted token. */
  bearer(): Promise<string>
  /**
   * A client for one of the hub's services. Refused with a clear error naming the override
   * when the hub publishes no address for it (`--dps-url`, `--snippet-service-url`). `bearer`
   * replaces the profile's (DPS calls carry the enrollment group owner's token).
   */
  client(service: HubService, bearer?: () => Promise<string>): PlgdClient
}

/** The hub profiles, as the use cases see them. */
export interface HubDirectory {
  /** The profile by name, or a not_found AppError naming `hubs list`. */
  open(name: string): HubContext
}
