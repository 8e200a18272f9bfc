import type { z } from 'zod'
import type {
  addHubInput,
  HubAuthInput,
  HubOverrides,
  HubView,
  updateHubInput,
} from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import type { SealedBox } from '../secrets/sealed-box.js'
import { CachedBearer, unverifiedClaims, type MintedBearer } from './hub-bearer.js'
import type { HubContext, HubDirectory, HubService } from './hub-context.js'
import { discoverHub, resolveHub, type DiscoveredHub } from './hub-discovery.js'
import type { PlgdClient } from './plgd-client.js'

/** How the console authenticates to a hub, as settings.json keeps it: a pasted token sealed. */
export type StoredHubAuth =
  | { kind: 'client'; clientId: string }
  | { kind: 'token'; tokenSealed: string; expiresAt: number | null }

/** One hub profile in settings.json (`hubs.<name>`). Never a bearer in clear. */
export interface StoredHub {
  name: string
  url: string
  caPem: string | null
  auth: StoredHubAuth
  overrides: HubOverrides
  discovered: DiscoveredHub
  discoveredAt: number
  createdAt: number
}

export interface PlgdClientOptions {
  baseUrl: string
  /** The CA to trust for the service's TLS; the system pool otherwise. */
  caPem?: string | undefined
  /** Absent: anonymous calls (discovery). */
  bearer?: (() => Promise<string>) | undefined
  service?: PlgdServiceName | undefined
  /** For the commands a failure's fix names. */
  hubName?: string | undefined
  /** The owner the bearer carries, for a 403's message. */
  owner?: string | undefined
  /** How long the service may stay silent. */
  timeoutMs?: number
}
export type PlgdServiceName = 'DPS' | 'snippet-service' | 'http-gateway'
const SERVICE_NAMES: Record<HubService, PlgdServiceName> = {
  gateway: 'http-gateway',
  dps: 'DPS',
  snippets: 'snippet-service',
}
export type PlgdClientFactory = (options: PlgdClientOptions) => PlgdClient

export interface HubProfilesDeps {
  load(): Record<string, StoredHub> | undefined
  save(all: Record<string, StoredHub>): void
  sealer: SealedBox
  /** What the profile needs of a client of ours, or undefined when there is no such client. */
  client(clientId: string): HubClientFacts | undefined
  /** Mints a short-lived bearer for the client, recorded in the ledger and the audit log. */
  mintBearer(hubName: string, clientId: string): Promise<MintedBearer>
  makeClient: PlgdClientFactory
  nowSeconds(): number
}

export interface HubClientFacts {
  owner: string
  disabled: boolean
  authMethod: string
}

/** The console mints for the client without its credentials: it must exist, be enabled, and not need a user's token. */
function refuseClient(id: string, client: HubClientFacts | undefined): void {
  if (!client) {
    throw new AppError(
      'not_found',
      `no client ${id}: add one with \`clients add --id ${id} --owner OWNER\`, or pass --token-file`,
    )
  }
  if (client.authMethod === 'user_assertion') {
    throw new AppError(
      'policy_violation',
      `client ${id} mints only for a user's token: choose a client with an owner of its own, or pass --token-file`,
    )
  }
  if (client.disabled)
    throw new AppError(
      'policy_violation',
      `client ${id} is disabled: \`clients enable ${id}\` first`,
    )
}

export type AddHub = z.output<typeof addHubInput>
export type UpdateHub = z.output<typeof updateHubInput>

const tokenAad = (name: string): string => `hub-token:${name}`

/** The hub profiles: stored in settings.json, resolved (discovery + overrides), opened for use. */
export class HubProfiles implements HubDirectory {
  readonly #deps: HubProfilesDeps
  readonly #bearers = new Map<string, CachedBearer>()

  constructor(deps: HubProfilesDeps) {
    this.#deps = deps
  }

  list(): HubView[] {
    return Object.values(this.#all())
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((h) => this.#view(h))
  }

  get(name: string): HubView {
    return this.#view(this.#find(name))
  }

  async add(input: AddHub): Promise<HubView> {
    if (this.#all()[input.name])
      throw new AppError(
        'already_exists',
        `a hub named ${input.name} exists: see \`hubs show ${input.name}\``,
      )
    const url = input.url.replace(/\/+$/, '')
    const caPem = input.caPem ?? null
    const auth = this.#storeAuth(input.name, input.auth)
    const discovered = await this.#discover(input.name, url, caPem, true)
    const now = this.#deps.nowSeconds()
    const hub: StoredHub = {
      name: input.name,
      url,
      caPem,
      auth,
      overrides: input.overrides,
      discovered,
      discoveredAt: now,
      createdAt: now,
    }
    this.#save({ ...this.#all(), [hub.name]: hub })
    return this.#view(hub)
  }

  async update(input: UpdateHub): Promise<HubView> {
    const current = this.#find(input.name)
    const next: StoredHub = { ...current }
    if (input.caPem !== undefined) next.caPem = input.caPem
    if (input.auth) next.auth = this.#storeAuth(input.name, input.auth)
    if (input.overrides) next.overrides = input.overrides
    if (input.rediscover || input.caPem !== undefined) {
      next.discovered = await this.#discover(next.name, next.url, next.caPem, false)
      next.discoveredAt = this.#deps.nowSeconds()
    }
    this.#bearers.delete(input.name)
    this.#save({ ...this.#all(), [next.name]: next })
    return this.#view(next)
  }

  remove(name: string): void {
    this.#find(name)
    const { [name]: _removed, ...rest } = this.#all()
    this.#bearers.delete(name)
    this.#save(rest)
  }

  open(name: string): HubContext {
    const stored = this.#find(name)
    const profile = this.#view(stored)
    const bearer = this.#bearer(stored)
    const owner = this.#owner(stored, profile.ownerClaim)
    const caPem = stored.caPem ?? undefined
    const makeClient = this.#deps.makeClient
    return {
      profile,
      owner,
      bearer,
      client(service: HubService, override?: () => Promise<string>): PlgdClient {
        return makeClient({
          baseUrl: serviceUrl(profile, service),
          caPem,
          bearer: override ?? bearer,
          service: SERVICE_NAMES[service],
          hubName: name,
          owner,
        })
      },
    }
  }

  /** A client for the profile's gateway without a bearer (the connectivity check's discovery). */
  anonymousGateway(name: string): PlgdClient {
    const hub = this.#find(name)
    return this.#deps.makeClient({
      baseUrl: hub.url,
      caPem: hub.caPem ?? undefined,
      service: 'http-gateway',
      hubName: name,
    })
  }

  #bearer(hub: StoredHub): () => Promise<string> {
    const { auth } = hub
    if (auth.kind === 'token') {
      // Unsealed only in memory, only when a call needs it.
      return () => Promise.resolve(this.#unseal(hub.name, auth.tokenSealed))
    }
    let cached = this.#bearers.get(hub.name)
    if (!cached) {
      cached = new CachedBearer(
        () => this.#deps.mintBearer(hub.name, auth.clientId),
        this.#deps.nowSeconds,
      )
      this.#bearers.set(hub.name, cached)
    }
    const shared = cached
    return () => shared.get()
  }

  #owner(hub: StoredHub, ownerClaim: string): string {
    const { auth } = hub
    if (auth.kind === 'client') return this.#deps.client(auth.clientId)?.owner ?? ''
    const claim = unverifiedClaims(this.#unseal(hub.name, auth.tokenSealed))[ownerClaim]
    return typeof claim === 'string' ? claim : ''
  }

  #unseal(name: string, sealed: string): string {
    return this.#deps.sealer.open(sealed, tokenAad(name)).toString('utf8')
  }

  #storeAuth(name: string, auth: HubAuthInput): StoredHubAuth {
    if (auth.kind === 'client') {
      refuseClient(auth.clientId, this.#deps.client(auth.clientId))
      return { kind: 'client', clientId: auth.clientId }
    }
    const token = auth.token.trim()
    if (token.split('.').length !== 3)
      throw new AppError(
        'invalid_input',
        'the pasted token is not a JWT (three dot-separated parts)',
      )
    const exp = unverifiedClaims(token).exp
    return {
      kind: 'token',
      tokenSealed: this.#deps.sealer.seal(Buffer.from(token, 'utf8'), tokenAad(name)),
      expiresAt: typeof exp === 'number' ? exp : null,
    }
  }

  async #discover(
    name: string,
    url: string,
    caPem: string | null,
    adding: boolean,
  ): Promise<DiscoveredHub> {
    const gateway = this.#deps.makeClient({
      baseUrl: url,
      caPem: caPem ?? undefined,
      service: 'http-gateway',
      hubName: name,
      timeoutMs: 10_000,
    })
    const ctx = { hub: name, hasCa: caPem !== null, timeoutMs: 10_000, adding }
    return (await discoverHub(gateway, ctx)).hub
  }

  #find(name: string): StoredHub {
    const hub = this.#all()[name]
    if (!hub) throw new AppError('not_found', `no hub named ${name}: see \`hubs list\``)
    return hub
  }

  #all(): Record<string, StoredHub> {
    return this.#deps.load() ?? {}
  }

  #save(all: Record<string, StoredHub>): void {
    this.#deps.save(all)
  }

  #view(hub: StoredHub): HubView {
    return {
      name: hub.name,
      url: hub.url,
      ...resolveHub(hub.discovered, hub.overrides),
      caPem: hub.caPem,
      auth:
        hub.auth.kind === 'client'
          ? { kind: 'client', clientId: hub.auth.clientId }
          : { kind: 'token', expiresAt: hub.auth.expiresAt },
      overrides: hub.overrides,
      discoveredAt: hub.discoveredAt,
      createdAt: hub.createdAt,
    }
  }
}

/** The base URL of one of the hub's services, or a refusal naming the option that sets it. */
export function serviceUrl(profile: HubView, service: HubService): string {
  if (service === 'gateway') return profile.url
  if (service === 'dps') {
    if (profile.dpsUrl) return profile.dpsUrl
    throw new AppError(
      'invalid_input',
      `hub ${profile.name} publishes no DPS address (ui.deviceProvisioningService): set it with \`hubs update ${profile.name} --dps-url URL\``,
    )
  }
  if (profile.snippetServiceUrl) return profile.snippetServiceUrl
  throw new AppError(
    'invalid_input',
    `hub ${profile.name} publishes no snippet-service address (ui.snippetService): set it with \`hubs update ${profile.name} --snippet-service-url URL\``,
  )
}
