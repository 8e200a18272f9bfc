import { describe, expect, it } from 'vitest'
import { dpsSetupInput, type ClientView } from '../../shared/contract/index.js'
import { dpsSetup, type DpsSetupDeps } from '../../electron/plgd/dps-setup.js'
import {
  CA_PEM,
  CHAIN_PEM,
  FakeDps,
  HUB_ID,
  ISSUER,
  clientView,
  hubContext,
  hubView,
  type Loose,
} from './dps-fixtures.js'

interface World {
  deps: DpsSetupDeps
  dps: FakeDps
  clients: Map<string, ClientView>
  rotations: { id: string; grace: number }[]
  audits: { action: string; subject: string; details: Record<string, unknown> }[]
  minted: string[]
}

function world(
  opts: { client?: ClientView | null; ownerClaim?: string; hubOwner?: string } = {},
): World {
  const dps = new FakeDps()
  const clients = new Map<string, ClientView>()
  if (opts.client !== null) clients.set('dps', opts.client ?? clientView())
  const rotations: World['rotations'] = []
  const audits: World['audits'] = []
  const minted: string[] = []
  let n = 0
  const deps: DpsSetupDeps = {
    hub: hubContext(dps, hubView(), opts.hubOwner ?? '1'),
    clients: {
      find: (id) => clients.get(id),
      add: (input) => {
        const c = clientView({
          id: input.id,
          owner: input.owner ?? '',
          allowDeviceId: input.allowDeviceId ?? false,
        })
        clients.set(c.id, c)
        return { client: c, clientSecret: `created-${++n}` }
      },
      rotateSecret: (id, grace) => {
        rotations.push({ id, grace })
        return { client: clients.get(id)!, clientSecret: `rotated-${++n}` }
      },
    },
    mintBearer: async (id) => {
      minted.push(id)
      return `bearer-of-${id}`
    },
    issuer: {
      url: ISSUER,
      caPem: CA_PEM,
      ownerClaim: opts.ownerClaim ?? 'https://plgd.dev/owner',
      deviceIdClaim: 'https://plgd.dev/deviceId',
    },
    audit: (action, subject, details) => audits.push({ action, subject, details }),
  }
  return { deps, dps, clients, rotations, audits, minted }
}

const input = (over: Record<string, unknown> = {}) =>
  dpsSetupInput.parse({
    hub: 'lab',
    clientId: 'dps',
    group: 'line-1',
    certificateChainPem: CHAIN_PEM,
    ...over,
  })

describe('dps setup', () => {
  it('a dry run reads DPS as the DPS client and changes nothing', async () => {
    const w = world()
    const result = await dpsSetup(w.deps, input({ dryRun: true }))
    expect(result.applied).toBe(false)
    expect(result.plan.map((s) => [s.target, s.action])).toEqual([
      ['client', 'rotate-secret'],
      ['dps-hub', 'create'],
      ['enrollment-group', 'create'],
    ])
    expect(w.dps.calls.every((c) => c.method === 'GET')).toBe(true)
    expect(w.dps.calls.map((c) => c.bearer)).toEqual(['bearer-of-dps', 'bearer-of-dps'])
    expect(w.dps.calls[0]!.request?.query).toEqual({ hubIdFilter: HUB_ID })
    expect(w.rotations).toEqual([])
    expect(w.audits).toEqual([])
    expect(JSON.stringify(result)).not.toMatch(/rotated-|created-/)
  })

  it('apply rotates with the grace period and sends the fresh secret to DPS only', async () => {
    const w = world()
    const result = await dpsSetup(w.deps, input({ graceSeconds: 600 }))
    expect(result).toMatchObject({ applied: true, dpsHubId: 'hub-1', enrollmentGroupId: 'group-1' })
    expect(w.rotations).toEqual([{ id: 'dps', grace: 600 }])
    const posted = w.dps.calls.filter((c) => c.method === 'POST')
    expect(posted.map((c) => c.path)).toEqual(['/api/v1/hubs', '/api/v1/enrollment-groups'])
    const hub = posted[0]!.request!.body as {
      authorization: { provider: { clientSecret: string } }
    }
    expect(hub.authorization.provider.clientSecret).toBe('data:,rotated-1')
    expect((posted[1]!.request!.body as { hubIds: string[] }).hubIds).toEqual([HUB_ID])
    expect(JSON.stringify(result)).not.toContain('rotated-1')
    expect(w.audits).toEqual([expect.objectContaining({ action: 'dps.setup', subject: 'dps' })])
    expect(JSON.stringify(w.audits)).not.toContain('rotated-1')
  })

  it('a second run updates the records in place and replaces the secret it cannot compare', async () => {
    const w = world()
    await dpsSetup(w.deps, input())
    w.dps.calls = []
    const again = await dpsSetup(w.deps, input())
    expect(again.plan.map((s) => s.action)).toEqual(['rotate-secret', 'update', 'unchanged'])
    expect(again.plan[1]!.changes).toEqual([
      { field: 'authorization.provider.clientSecret', from: 'data:,****', to: 'data:,****' },
    ])
    expect(w.dps.calls.filter((c) => c.method === 'PUT').map((c) => c.path)).toEqual([
      '/api/v1/hubs/hub-1',
    ])
    expect(again.dpsHubId).toBe('hub-1')
    expect(again.enrollmentGroupId).toBe('group-1')
  })

  it('--keep-secret leaves an unchanged hub record alone: no rotation, no write', async () => {
    const w = world()
    await dpsSetup(w.deps, input())
    w.dps.calls = []
    w.rotations.length = 0
    const kept = await dpsSetup(w.deps, input({ keepSecret: true }))
    expect(kept.plan.map((s) => s.action)).toEqual(['unchanged', 'unchanged', 'unchanged'])
    expect(w.rotations).toEqual([])
    expect(w.dps.calls.some((c) => c.method !== 'GET')).toBe(false)
  })

  it('creates a missing DPS client with the owner given and the device-id claim allowed', async () => {
    const w = world({ client: null })
    const result = await dpsSetup(w.deps, input({ owner: '1' }))
    expect(result.plan[0]).toMatchObject({ target: 'client', action: 'create' })
    expect(w.clients.get('dps')).toMatchObject({ owner: '1', allowDeviceId: true })
    expect(w.rotations).toEqual([])
    const hub = w.dps.calls.find((c) => c.method === 'POST')!.request!.body as Loose
    expect(hub.authorization.provider.clientSecret).toBe('data:,created-1')
  })

  it('a dry run with a new client of another owner changes nothing and says DPS was not read', async () => {
    const w = world({ client: null })
    const result = await dpsSetup(w.deps, input({ owner: '2', dryRun: true }))
    expect(w.clients.size).toBe(0)
    expect(w.dps.calls).toEqual([])
    expect(result.warnings.join(' ')).toContain('cannot be read before client dps exists')
  })

  it("refuses an owner that is not the existing client's", async () => {
    const w = world()
    await expect(dpsSetup(w.deps, input({ owner: '2' }))).rejects.toThrow(/owner is 1, not 2/)
  })

  it("refuses when this issuer's owner claim is not the hub's, naming the setting", async () => {
    const w = world({ ownerClaim: 'sub' })
    await expect(dpsSetup(w.deps, input())).rejects.toThrow(
      /settings set --owner-claim https:\/\/plgd.dev\/owner/,
    )
  })

  it('refuses a client without a secret', async () => {
    const w = world({
      client: clientView({ auth: { method: 'private_key_jwt', jwksUri: 'https://x' } }),
    })
    await expect(dpsSetup(w.deps, input())).rejects.toThrow(/DPS sends a client secret/)
  })

  it('sends no device-id claim when the client may not set it', async () => {
    const w = world({ client: clientView({ allowDeviceId: false }) })
    const result = await dpsSetup(w.deps, input())
    const hub = w.dps.calls.find((c) => c.method === 'POST')!.request!.body as Loose
    expect(hub.authorization.deviceIdClaim).toBe('')
    expect(result.warnings.join(' ')).toContain('may not set the device-id claim')
  })

  it('never passes on a secret DPS quotes in a refusal', async () => {
    const w = world()
    w.dps.fail = (method) =>
      method === 'POST'
        ? Object.assign(new Error("invalid clientSecret('data:,rotated-1'): bad"), { status: 400 })
        : undefined
    const err = (await dpsSetup(w.deps, input()).catch((e: unknown) => e)) as Error
    expect(err.message).toContain("clientSecret('data:,****')")
    expect(err.message).not.toContain('rotated-1')
  })

  it('translates a 401 from DPS into the trust it lacks', async () => {
    const w = world()
    w.dps.fail = () => Object.assign(new Error('Unauthenticated'), { status: 401 })
    await expect(dpsSetup(w.deps, input())).rejects.toThrow(/apis.http.authorization/)
    expect(w.rotations).toEqual([])
  })
})
