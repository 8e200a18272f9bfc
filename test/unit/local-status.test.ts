import { describe, expect, it } from 'vitest'
import type { StoredClientApp } from '../../electron/local/client-app-context.js'
import { ownerToUuid, statusOf } from '../../electron/local/client-app-status.js'
import { clientAppsOver, fakeClientApp } from './local-fakes.js'

const URL = 'http://localhost:8080'

const record = (over: Partial<StoredClientApp> = {}): StoredClientApp => ({
  url: URL,
  mode: 'PRE_SHARED_KEY',
  owner: 'alice',
  clientId: null,
  hub: null,
  pskSealed: 'v1.x.y.z',
  initializedAt: 1_700_000_000,
  ...over,
})

const facts = (config: Record<string, unknown> | null, rec: StoredClientApp | null = null) => ({
  url: URL,
  config,
  record: rec,
  clientState: (id: string) =>
    id === 'gone' ? ('missing' as const) : id === 'off' ? ('disabled' as const) : ('ok' as const),
})

describe('local status problems', () => {
  it('not running: the URL and both ways to give another one', () => {
    const s = statusOf({ ...facts(null), failure: 'connect ECONNREFUSED' })
    expect(s).toMatchObject({ running: false, initialized: false, mode: null })
    expect(s.problems).toHaveLength(1)
    expect(s.problems[0]!.problem).toBe('not_running')
    expect(s.problems[0]!.message).toContain(`not running at ${URL}`)
    expect(s.problems[0]!.message).toContain('--client-app URL')
    expect(s.problems[0]!.message).toContain('ECONNREFUSED')
  })

  it('not initialised: PSK names the owner option; with our record, our owner and the kept key', () => {
    const fresh = statusOf(facts({ isInitialized: false }))
    // The default marshaller drops the enum's zero value: absent is PRE_SHARED_KEY.
    expect(fresh.mode).toBe('PRE_SHARED_KEY')
    expect(fresh.problems[0]).toMatchObject({ problem: 'not_initialized' })
    expect(fresh.problems[0]!.message).toContain('`local init --owner OWNER`')
    const ours = statusOf(facts({ isInitialized: false }, record()))
    expect(ours.problems[0]!.message).toContain('local init --owner alice')
    expect(ours.problems[0]!.message).toContain('same key')
  })

  it('not initialised in X509 with remote provisioning: --client and --hub too', () => {
    const s = statusOf(
      facts({ deviceAuthenticationMode: 'X509', remoteProvisioning: { mode: 'USER_AGENT' } }),
    )
    expect(s.problems[0]!.message).toContain('--client CLIENT_ID --hub NAME')
  })

  it('another owner than ours: both named, with --force and local reset', () => {
    const s = statusOf(facts({ isInitialized: true, owner: 'bob' }, record()))
    expect(s.problems.map((p) => p.problem)).toEqual(['other_owner'])
    expect(s.problems[0]!.message).toMatch(/"bob".*"alice".*--force.*local reset/)
  })

  it('our owner reported as its UUID (OwnerToUUID) is still ours', () => {
    expect(ownerToUuid('alice')).toMatch(/^[0-9a-f-]{36}$/)
    expect(ownerToUuid('8f4c0b7e-1d2a-4c3b-9e8f-0a1b2c3d4e5f')).toBe(
      '8f4c0b7e-1d2a-4c3b-9e8f-0a1b2c3d4e5f',
    )
    const s = statusOf(facts({ isInitialized: true, owner: ownerToUuid('alice') }, record()))
    expect(s.problems).toEqual([])
  })

  it('X509 initialised by someone else: their tokens only', () => {
    const s = statusOf(facts({ isInitialized: true, deviceAuthenticationMode: 'X509', owner: 'x' }))
    expect(s.problems.map((p) => p.problem)).toEqual(['other_owner'])
  })

  it('X509 ours but the client is disabled or gone: no_credentials with the fix', () => {
    const config = { isInitialized: true, deviceAuthenticationMode: 'X509', owner: 'alice' }
    const off = statusOf(facts(config, record({ mode: 'X509', clientId: 'off', pskSealed: null })))
    expect(off.problems[0]).toMatchObject({ problem: 'no_credentials' })
    expect(off.problems[0]!.message).toContain('clients enable off')
    const gone = statusOf(
      facts(config, record({ mode: 'X509', clientId: 'gone', pskSealed: null })),
    )
    expect(gone.problems[0]!.message).toContain('clients add --id gone --owner alice')
    const fine = statusOf(facts(config, record({ mode: 'X509', clientId: 'ok', pskSealed: null })))
    expect(fine.problems).toEqual([])
  })

  it('the discovery default comes from ui.defaultDiscoveryTimeout (ns), else 2 s', () => {
    expect(
      statusOf(facts({ ui: { defaultDiscoveryTimeout: '5000000000' } }))
        .defaultDiscoveryTimeoutSeconds,
    ).toBe(5)
    expect(statusOf(facts({})).defaultDiscoveryTimeoutSeconds).toBe(2)
  })
})

describe('reading the status', () => {
  it('a refused connection is a status, not a throw', async () => {
    const fake = fakeClientApp({ 'GET /.well-known/configuration': () => 'refused' })
    const { apps } = clientAppsOver(fake.transport)
    const s = await apps.open('http://127.0.0.1:9/').status()
    expect(s.url).toBe('http://127.0.0.1:9')
    expect(s.problems[0]!.problem).toBe('not_running')
  })

  it('something else answering at the URL is not a client-application', async () => {
    const fake = fakeClientApp({})
    const { apps } = clientAppsOver(fake.transport)
    const s = await apps.open(URL).status()
    expect(s.running).toBe(false)
    expect(s.problems[0]!.message).toContain('HTTP 404')
  })

  it('the configuration is read without a bearer even in X509 mode', async () => {
    const fake = fakeClientApp({
      'GET /.well-known/configuration': () => ({
        json: { isInitialized: true, deviceAuthenticationMode: 'X509', owner: 'alice' },
      }),
    })
    const { apps, minted } = clientAppsOver(fake.transport, {
      settings: {
        url: URL,
        apps: { [URL]: record({ mode: 'X509', clientId: 'c', pskSealed: null }) },
      },
    })
    const s = await apps.open().status()
    expect(s.ours).toMatchObject({ mode: 'X509', clientId: 'c' })
    expect(fake.sent[0]!.bearer).toBeUndefined()
    expect(minted).toEqual([])
  })
})
