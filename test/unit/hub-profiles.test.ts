// @vitest-environment node
import { randomBytes } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { addHubInput, updateHubInput } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import { CachedBearer, hubBearerMinter } from '../../electron/plgd/hub-bearer.js'
import {
  defaultDpsDeviceEndpoint,
  parseHubConfiguration,
  resolveHub,
} from '../../electron/plgd/hub-discovery.js'
import {
  HubProfiles,
  type PlgdClientOptions,
  type StoredHub,
} from '../../electron/plgd/hub-profiles.js'
import type { PlgdClient } from '../../electron/plgd/plgd-client.js'
import { SealedBox } from '../../electron/secrets/sealed-box.js'

const HUB_ID = 'd03a1bb4-0a77-428c-b78c-1c46efe6a38e'
const CONFIG = {
  currentTime: '1751476400123456789',
  jwtOwnerClaim: 'https://plgd.dev/owner',
  jwtDeviceIdClaim: 'https://plgd.dev/deviceId',
  id: HUB_ID,
  coapGateway: 'coaps+tcp://hub.example:5684',
  certificateAuthorities: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  authority: 'https://auth.example/realms/plgd',
  defaultCommandTimeToLive: '10000000000',
  certificateAuthority: 'https://hub.example:443',
  m2mOauthClient: { clientId: 'm2m', authority: 'https://hub.example/m2m-oauth-server' },
  ui: {
    deviceProvisioningService: 'https://dps.hub.example/',
    snippetService: 'https://hub.example/snippet-service',
  },
}

function fakeJwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
  return `${part({ alg: 'ES256' })}.${part(claims)}.c2lnbmF0dXJl`
}

describe('hub discovery', () => {
  it('reads every published field; int64 strings become numbers, nanoseconds milliseconds', () => {
    const parsed = parseHubConfiguration(CONFIG)
    expect(parsed.currentTimeMs).toBe(1751476400123)
    expect(parsed.defaultCommandTimeToLiveNs).toBe(10_000_000_000)
    expect(parsed.hub).toEqual({
      hubId: HUB_ID,
      ownerClaim: 'https://plgd.dev/owner',
      deviceIdClaim: 'https://plgd.dev/deviceId',
      coapGateway: 'coaps+tcp://hub.example:5684',
      certificateAuthority: 'https://hub.example:443',
      authority: 'https://auth.example/realms/plgd',
      dpsUrl: 'https://dps.hub.example',
      snippetServiceUrl: 'https://hub.example/snippet-service',
      m2mOauthClient: { clientId: 'm2m', authority: 'https://hub.example/m2m-oauth-server' },
      hubCaPem: CONFIG.certificateAuthorities,
    })
  })

  it('takes numbers too, and plgd dropping empty fields leaves defaults (owner claim sub)', () => {
    const parsed = parseHubConfiguration({ id: HUB_ID, currentTime: 1751476400000000000 })
    expect(parsed.currentTimeMs).toBe(1751476400000)
    expect(parsed.hub.ownerClaim).toBe('sub')
    expect(parsed.hub.dpsUrl).toBeNull()
    expect(parsed.hub.snippetServiceUrl).toBeNull()
    expect(parsed.hub.m2mOauthClient).toBeNull()
    expect(() => parseHubConfiguration('<html>')).toThrow(/not a JSON object/)
  })

  it('overrides win over discovery; devices reach DPS on its API host, port 15684', () => {
    const { hub } = parseHubConfiguration(CONFIG)
    expect(resolveHub(hub, {}).dpsDeviceEndpoint).toBe('coaps+tcp://dps.hub.example:15684')
    const resolved = resolveHub(hub, {
      dpsUrl: 'https://dps.lan:9100',
      ownerClaim: 'sub',
      snippetServiceUrl: 'https://snip.lan/',
    })
    expect(resolved.dpsUrl).toBe('https://dps.lan:9100')
    expect(resolved.dpsDeviceEndpoint).toBe('coaps+tcp://dps.lan:15684')
    expect(resolved.ownerClaim).toBe('sub')
    expect(resolved.snippetServiceUrl).toBe('https://snip.lan')
    expect(
      resolveHub(hub, { dpsDeviceEndpoint: 'coaps+tcp://10.0.0.5:5999' }).dpsDeviceEndpoint,
    ).toBe('coaps+tcp://10.0.0.5:5999')
    expect(defaultDpsDeviceEndpoint(null)).toBeNull()
    expect(defaultDpsDeviceEndpoint('https://[::1]:9100')).toBe('coaps+tcp://[::1]:15684')
  })
})

function harness(options: { config?: unknown } = {}) {
  let stored: Record<string, StoredHub> | undefined
  let now = 1_751_476_400
  const made: PlgdClientOptions[] = []
  const mint = vi.fn(async () => ({
    token: `minted-${mint.mock.calls.length}`,
    expiresAt: now + 300,
  }))
  const profiles = new HubProfiles({
    load: () => stored,
    save: (all) => {
      stored = JSON.parse(JSON.stringify(all)) as Record<string, StoredHub>
    },
    sealer: new SealedBox(randomBytes(32)),
    client: (id) =>
      id === 'console'
        ? { owner: 'owner-1', disabled: false, authMethod: 'client_secret' }
        : id === 'ui'
          ? { owner: '', disabled: false, authMethod: 'user_assertion' }
          : undefined,
    mintBearer: mint,
    makeClient: (o) => {
      made.push(o)
      return {
        baseUrl: o.baseUrl,
        json: <T>() => Promise.resolve((options.config ?? CONFIG) as T),
        stream: () => (async function* () {})(),
      } satisfies PlgdClient
    },
    nowSeconds: () => now,
  })
  return {
    profiles,
    mint,
    made,
    settingsText: () => JSON.stringify(stored ?? {}),
    advance: (s: number) => {
      now += s
    },
  }
}

describe('hub profiles', () => {
  it('seals a pasted token: never in settings in clear, never in a view, only in the bearer', async () => {
    const h = harness()
    const token = fakeJwt({ 'https://plgd.dev/owner': 'alice', exp: 1_751_480_000 })
    const view = await h.profiles.add(
      addHubInput.parse({ name: 'lab', url: 'https://api.lab/', auth: { kind: 'token', token } }),
    )
    expect(view.url).toBe('https://api.lab')
    expect(view.auth).toEqual({ kind: 'token', expiresAt: 1_751_480_000 })
    expect(h.settingsText()).not.toContain(token)
    expect(h.settingsText()).not.toContain(token.split('.')[1])
    expect(JSON.stringify(h.profiles.list())).not.toContain(token.split('.')[1])
    const opened = h.profiles.open('lab')
    expect(opened.owner).toBe('alice')
    await expect(opened.bearer()).resolves.toBe(token)
  })

  it('refuses a client that does not exist, naming clients add, and a duplicate name', async () => {
    const h = harness()
    const input = (clientId: string) =>
      addHubInput.parse({ name: 'lab', url: 'https://api.lab', auth: { kind: 'client', clientId } })
    await expect(h.profiles.add(input('nobody'))).rejects.toThrow(/clients add --id nobody/)
    await expect(h.profiles.add(input('ui'))).rejects.toThrow(/only for a user's token/)
    await h.profiles.add(input('console'))
    await expect(h.profiles.add(input('console'))).rejects.toMatchObject({ code: 'already_exists' })
  })

  it('a client bearer is minted once, cached until 30 s before expiry, then minted again', async () => {
    const h = harness()
    await h.profiles.add(
      addHubInput.parse({
        name: 'lab',
        url: 'https://api.lab',
        auth: { kind: 'client', clientId: 'console' },
      }),
    )
    const hub = h.profiles.open('lab')
    expect(hub.owner).toBe('owner-1')
    const [a, b] = await Promise.all([hub.bearer(), hub.bearer()])
    expect(a).toBe(b)
    expect(await h.profiles.open('lab').bearer()).toBe(a)
    expect(h.mint).toHaveBeenCalledTimes(1)
    expect(h.mint).toHaveBeenCalledWith('lab', 'console')
    h.advance(269)
    expect(await hub.bearer()).toBe(a)
    h.advance(2)
    expect(await hub.bearer()).not.toBe(a)
    expect(h.mint).toHaveBeenCalledTimes(2)
  })

  it('clients carry the hub CA and the right base URL; a missing DPS address names --dps-url', async () => {
    const h = harness({ config: { ...CONFIG, ui: {} } })
    const caPem = '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n'
    await h.profiles.add(
      addHubInput.parse({
        name: 'lab',
        url: 'https://api.lab',
        caPem,
        auth: { kind: 'client', clientId: 'console' },
      }),
    )
    const hub = h.profiles.open('lab')
    expect(hub.client('gateway').baseUrl).toBe('https://api.lab')
    expect(h.made.at(-1)).toMatchObject({ caPem, service: 'http-gateway', hubName: 'lab' })
    expect(() => hub.client('dps')).toThrow(/hubs update lab --dps-url URL/)
    expect(() => hub.client('snippets')).toThrow(/--snippet-service-url URL/)
    await h.profiles.update(
      updateHubInput.parse({ name: 'lab', overrides: { dpsUrl: 'https://dps.lab' } }),
    )
    const updated = h.profiles.open('lab')
    expect(updated.client('dps').baseUrl).toBe('https://dps.lab')
    expect(updated.profile.dpsDeviceEndpoint).toBe('coaps+tcp://dps.lab:15684')
  })

  it('remove forgets the profile; an unknown name points at hubs list', async () => {
    const h = harness()
    await h.profiles.add(
      addHubInput.parse({
        name: 'lab',
        url: 'https://api.lab',
        auth: { kind: 'client', clientId: 'console' },
      }),
    )
    h.profiles.remove('lab')
    expect(h.profiles.list()).toEqual([])
    expect(() => h.profiles.open('lab')).toThrow(AppError)
    expect(() => h.profiles.get('lab')).toThrow(/hubs list/)
  })
})

describe('hub bearer', () => {
  it('a failed mint is not cached', async () => {
    let fail = true
    const bearer = new CachedBearer(
      async () => {
        if (fail) throw new Error('client disabled')
        return { token: 't', expiresAt: null }
      },
      () => 0,
    )
    await expect(bearer.get()).rejects.toThrow('client disabled')
    fail = false
    await expect(bearer.get()).resolves.toBe('t')
  })

  it('mints 5 minutes (less when the client caps it), named for the hub, audited', async () => {
    const issue = vi.fn(async (_input: { lifetimeSeconds: number; name: string }) => ({
      accessToken: 'jwt',
      jti: 'j1',
      expiresAt: 100,
    }))
    const audited = vi.fn()
    const mint = hubBearerMinter({
      client: (id) => ({ audiences: ['aud'], maxLifetimeSeconds: id === 'short' ? 60 : 3600 }),
      issueAsAdmin: issue,
      audited,
    })
    await expect(mint('lab', 'console')).resolves.toEqual({ token: 'jwt', expiresAt: 100 })
    expect(issue.mock.calls[0]![0]).toMatchObject({
      lifetimeSeconds: 300,
      name: 'console: hub lab',
      audiences: ['aud'],
    })
    expect(audited).toHaveBeenCalledWith('j1', { clientId: 'console', expiresAt: 100, hub: 'lab' })
    await mint('lab', 'short')
    expect(issue.mock.calls[1]![0].lifetimeSeconds).toBe(60)
  })
})
