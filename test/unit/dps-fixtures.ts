import type { ClientView, HubView } from '../../shared/contract/index.js'
import type { HubContext } from '../../electron/plgd/hub-context.js'
import type { PlgdClient, PlgdRequest } from '../../electron/plgd/plgd-client.js'

export const HUB_ID = 'd03a1bb4-0a77-428c-b78c-1c46efe6a38e'
export const ISSUER = 'https://console.example.lan:8443/m2m-oauth-server'
export const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBconsole\n-----END CERTIFICATE-----\n'
export const HUB_CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBhub\n-----END CERTIFICATE-----\n'
export const CHAIN_PEM = '-----BEGIN CERTIFICATE-----\nMIIBmfg\n-----END CERTIFICATE-----\n'

export function hubView(over: Partial<HubView> = {}): HubView {
  return {
    name: 'lab',
    url: 'https://api.hub.example.com',
    hubId: HUB_ID,
    ownerClaim: 'https://plgd.dev/owner',
    deviceIdClaim: 'https://plgd.dev/deviceId',
    coapGateway: 'hub.example.com:5684',
    certificateAuthority: 'https://api.hub.example.com',
    authority: 'https://auth.example.com',
    dpsUrl: 'https://dps.example.com',
    snippetServiceUrl: null,
    dpsDeviceEndpoint: 'coaps+tcp://dps.example.com:15684',
    m2mOauthClient: null,
    hubCaPem: HUB_CA_PEM,
    caPem: null,
    auth: { kind: 'client', clientId: 'console' },
    overrides: {},
    discoveredAt: 0,
    createdAt: 0,
    ...over,
  }
}

export function clientView(over: Partial<ClientView> = {}): ClientView {
  return {
    id: 'dps',
    owner: '1',
    allowedOwners: [],
    allowDeviceId: true,
    auth: { method: 'client_secret' },
    audiences: [],
    scopes: [],
    maxLifetimeSeconds: 3600,
    extraClaims: {},
    tokenType: 'JWT',
    disabled: false,
    createdAt: 0,
    updatedAt: 0,
    secrets: [{ createdAt: 0, expiresAt: null }],
    ...over,
  }
}

/** A JSON value read back from a recorded body, for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test data of any shape
export type Loose = any

export interface Call {
  method: string
  path: string
  request: PlgdRequest | undefined
  bearer: string | null
}

/** DPS in memory: hubs and groups as lists, every call recorded with the bearer it carried. */
export class FakeDps {
  hubs: Record<string, unknown>[] = []
  groups: Record<string, unknown>[] = []
  records: Record<string, unknown>[] = []
  calls: Call[] = []
  fail: ((method: string, path: string) => Error | undefined) | undefined

  client(bearer?: () => Promise<string>): PlgdClient {
    const record = async (method: string, path: string, request?: PlgdRequest): Promise<void> => {
      this.calls.push({ method, path, request, bearer: bearer ? await bearer() : null })
      const err = this.fail?.(method, path)
      if (err) throw err
    }
    return {
      baseUrl: 'https://dps.example.com',
      json: async <T>(method: string, path: string, request?: PlgdRequest) => {
        await record(method, path, request)
        const body = request?.body as Record<string, unknown>
        const list = path.startsWith('/api/v1/hubs') ? this.hubs : this.groups
        if (method === 'POST') {
          const made = {
            ...body,
            id: `${list === this.hubs ? 'hub' : 'group'}-${list.length + 1}`,
            owner: '1',
          }
          list.push(made)
          return made as T
        }
        const id = decodeURIComponent(path.split('/').pop()!)
        const i = list.findIndex((r) => r.id === id)
        list[i] = { ...body, id, owner: '1' }
        return list[i] as T
      },
      stream: <T>(path: string, request?: PlgdRequest): AsyncIterable<T> => {
        const hubs = () => this.hubs
        const groups = () => this.groups
        const records = () => this.records
        return (async function* () {
          await record('GET', path, request)
          const q = request?.query ?? {}
          if (path === '/api/v1/hubs') yield* hubs().filter((h) => h.hubId === q.hubIdFilter) as T[]
          else if (path === '/api/v1/enrollment-groups') yield* groups() as T[]
          else {
            const ids = ([] as string[]).concat(q.deviceIdFilter ?? [])
            yield* records().filter((r) => ids.includes(r.deviceId as string)) as T[]
          }
        })()
      },
    }
  }
}

export function hubContext(dps: FakeDps, profile = hubView(), owner = '1'): HubContext {
  return {
    profile,
    owner,
    bearer: async () => 'hub-bearer',
    client: (service, bearer) => {
      if (service !== 'dps') throw new Error(`unexpected service ${service}`)
      return dps.client(bearer ?? (async () => 'hub-bearer'))
    },
  }
}
