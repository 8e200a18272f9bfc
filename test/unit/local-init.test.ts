import { describe, expect, it } from 'vitest'
import type { HubView } from '../../shared/contract/index.js'
import {
  initClientApp,
  resetClientApp,
  type LocalAdminDeps,
} from '../../electron/local/client-app-init.js'
import { csrSigner } from '../../electron/local/csr-signing.js'
import { createPlgdClient } from '../../electron/plgd/plgd-http-client.js'
import { clientAppsOver, fakeClientApp, plgdError, quiet, type Answer } from './local-fakes.js'

const URL = 'http://localhost:8080'
const CSR_PEM = '-----BEGIN CERTIFICATE REQUEST-----\nMIIBcsr\n-----END CERTIFICATE REQUEST-----\n'
const CERT_PEM = '-----BEGIN CERTIFICATE-----\nMIIBsigned\n-----END CERTIFICATE-----\n'
const b64 = (s: string): string => Buffer.from(s).toString('base64')

/** A client-application with just enough state for initialise, finish and reset. */
function stateful(mode: 'PRE_SHARED_KEY' | 'X509', remote = false) {
  const state = {
    initialized: false,
    owner: '',
    psk: null as null | { subjectId: string; key: string; save: boolean },
    jwks: null as unknown,
    certificate: '',
  }
  const fake = fakeClientApp({
    'GET /.well-known/configuration': () => ({
      json: {
        isInitialized: state.initialized,
        deviceAuthenticationMode: mode,
        owner: state.owner || undefined,
        remoteProvisioning: remote
          ? { mode: 'USER_AGENT', certificateAuthority: 'https://ca.published' }
          : undefined,
      },
    }),
    'POST /api/v1/initialize': (sent): Answer => {
      if (state.initialized) return plgdError(400, 9, 'client application is already initialized')
      const body = sent.body as { preSharedKey?: typeof state.psk; jwks?: unknown }
      if (body.preSharedKey) {
        state.psk = body.preSharedKey
        state.owner = body.preSharedKey.subjectId
        state.initialized = true
        return { json: {} }
      }
      state.jwks = body.jwks
      state.owner = 'alice'
      if (!remote) {
        state.initialized = true
        return { json: {} }
      }
      return {
        json: {
          identityCertificateChallenge: { certificateSigningRequest: b64(CSR_PEM), state: 's1' },
        },
      }
    },
    'POST /api/v1/initialize/s1': (sent) => {
      state.certificate = Buffer.from(
        (sent.body as { certificate: string }).certificate,
        'base64',
      ).toString()
      state.initialized = true
      return { json: {} }
    },
    'POST /api/v1/reset': () => {
      Object.assign(state, { initialized: false, owner: '', psk: null, jwks: null })
      return { json: {} }
    },
  })
  return { state, fake }
}

const hubView = {
  name: 'lab',
  certificateAuthority: 'https://ca.profile',
  caPem: null,
  ownerClaim: 'https://plgd.dev/owner',
} as unknown as HubView

function depsFor(
  transport: ReturnType<typeof fakeClientApp>['transport'],
  ca?: ReturnType<typeof fakeClientApp>,
) {
  const over = clientAppsOver(transport)
  const audits: { action: string; subject: string; details: Record<string, unknown> }[] = []
  const changed: string[] = []
  const deps: LocalAdminDeps = {
    apps: over.apps,
    jwks: () => ({ keys: [{ kid: 'k1', kty: 'EC' }] }),
    client: (id) =>
      ({
        app: {
          owner: 'alice',
          allowedOwners: [],
          disabled: false,
          authMethod: 'client_secret_post',
        },
        bobs: {
          owner: 'bob',
          allowedOwners: [],
          disabled: false,
          authMethod: 'client_secret_post',
        },
      })[id],
    signer: (hub, publishedCa, bearer, owner) =>
      csrSigner({
        hub: { ...hubView, name: hub },
        publishedCa,
        bearer,
        owner,
        issuer: { authority: 'https://issuer.example/m2m-oauth-server', caPem: CERT_PEM },
        makeClient: (o) =>
          createPlgdClient({
            ...o,
            service: 'certificate-authority',
            log: quiet,
            transport: ca!.transport,
            maxRetries: 0,
          }),
      }),
    audit: (action, subject, details) => audits.push({ action, subject, details }),
    changed: (url) => changed.push(url),
    nowSeconds: () => 1_700_000_000,
  }
  return { deps, audits, changed, over }
}

const init = (over: Record<string, unknown>) => ({ owner: 'alice', force: false, ...over })

describe('local init, pre-shared key', () => {
  it('gives the owner as subject id and a random key of at least 16 bytes, never saved there', async () => {
    const { state, fake } = stateful('PRE_SHARED_KEY')
    const { deps, audits, changed, over } = depsFor(fake.transport)
    const status = await initClientApp(deps, init({}))
    expect(status).toMatchObject({ initialized: true, owner: 'alice', problems: [] })
    expect(state.psk).toMatchObject({ subjectId: 'alice', save: false })
    expect(Buffer.byteLength(state.psk!.key)).toBeGreaterThanOrEqual(16)
    const stored = JSON.stringify(over.settings())
    expect(stored).not.toContain(state.psk!.key)
    expect(over.settings()!.apps[URL]).toMatchObject({ mode: 'PRE_SHARED_KEY', owner: 'alice' })
    expect(audits.map((a) => a.action)).toEqual(['local.initialized'])
    expect(JSON.stringify(audits)).not.toContain(state.psk!.key)
    expect(changed).toEqual([URL])
    // Two fresh initialisations do not share a key.
    const other = stateful('PRE_SHARED_KEY')
    await initClientApp(depsFor(other.fake.transport).deps, init({}))
    expect(other.state.psk!.key).not.toBe(state.psk!.key)
  })

  it('reset then init again for the same owner gives the same key; another owner a new one', async () => {
    const { state, fake } = stateful('PRE_SHARED_KEY')
    const { deps } = depsFor(fake.transport)
    await initClientApp(deps, init({}))
    const first = state.psk!.key
    await resetClientApp(deps, {})
    expect(state.initialized).toBe(false)
    await initClientApp(deps, init({}))
    expect(state.psk!.key).toBe(first)
    await resetClientApp(deps, {})
    await initClientApp(deps, init({ owner: 'carol' }))
    expect(state.psk!.key).not.toBe(first)
  })

  it('the sealed key opens only for its URL and owner', async () => {
    const { fake } = stateful('PRE_SHARED_KEY')
    const { deps, over } = depsFor(fake.transport)
    await initClientApp(deps, init({}))
    const rec = over.settings()!.apps[URL]!
    expect(over.apps.openKey(rec)).toHaveLength(32)
    expect(() => over.apps.openKey({ ...rec, owner: 'mallory' })).toThrow()
  })

  it('initialised by another owner: refused naming --force; --force resets first', async () => {
    const { state, fake } = stateful('PRE_SHARED_KEY')
    Object.assign(state, { initialized: true, owner: 'bob' })
    const { deps, audits } = depsFor(fake.transport)
    await expect(initClientApp(deps, init({}))).rejects.toThrow(/owner "bob".*--force/)
    expect(state.owner).toBe('bob')
    const status = await initClientApp(deps, init({ force: true }))
    expect(status.owner).toBe('alice')
    expect(audits.map((a) => a.action)).toEqual(['local.reset', 'local.initialized'])
  })

  it('already initialised by us for this owner: nothing is sent again', async () => {
    const { fake } = stateful('PRE_SHARED_KEY')
    const { deps } = depsFor(fake.transport)
    await initClientApp(deps, init({}))
    const posts = fake.sent.filter((s) => s.method === 'POST').length
    await initClientApp(deps, init({}))
    expect(fake.sent.filter((s) => s.method === 'POST').length).toBe(posts)
  })
})

describe('local init, X509', () => {
  it('needs --client; a client for another owner is refused by its policy', async () => {
    const { fake } = stateful('X509')
    const { deps } = depsFor(fake.transport)
    await expect(initClientApp(deps, init({}))).rejects.toThrow(/--client ID/)
    await expect(initClientApp(deps, init({ clientId: 'bobs' }))).rejects.toThrow(
      /client bobs mints tokens for owner "bob".*not "alice"/,
    )
    await expect(initClientApp(deps, init({ clientId: 'nobody' }))).rejects.toThrow(
      /clients add --id nobody --owner alice/,
    )
  })

  it('remote provisioning: --hub is required before anything is sent', async () => {
    const { fake } = stateful('X509', true)
    const { deps } = depsFor(fake.transport)
    await expect(initClientApp(deps, init({ clientId: 'app' }))).rejects.toThrow(/--hub NAME/)
    expect(fake.sent.filter((s) => s.method === 'POST')).toEqual([])
  })

  it('pushes the JWKS with our bearer; the CSR goes to the published CA and the chain back', async () => {
    const { state, fake } = stateful('X509', true)
    const ca = fakeClientApp({
      'POST /api/v1/sign/identity-csr': (sent) => {
        const csr = Buffer.from(
          (sent.body as { certificateSigningRequest: string }).certificateSigningRequest,
          'base64',
        ).toString()
        return csr === CSR_PEM
          ? { json: { certificate: b64(CERT_PEM) } }
          : plgdError(400, 3, 'bad csr')
      },
    })
    const { deps, over, audits } = depsFor(fake.transport, ca)
    const status = await initClientApp(deps, init({ clientId: 'app', hub: 'lab' }))
    expect(status).toMatchObject({ initialized: true, mode: 'X509' })
    expect(state.jwks).toEqual({ keys: [{ kid: 'k1', kty: 'EC' }] })
    const initCall = fake.sent.find((s) => s.path === '/api/v1/initialize')!
    expect(initCall.bearer).toBe('bearer-app-alice')
    expect(over.minted).toEqual([{ url: URL, clientId: 'app', owner: 'alice' }])
    expect(ca.sent[0]!.bearer).toBe('bearer-app-alice')
    expect(state.certificate).toBe(CERT_PEM)
    expect(over.settings()!.apps[URL]).toMatchObject({
      mode: 'X509',
      clientId: 'app',
      hub: 'lab',
      pskSealed: null,
    })
    expect(audits.at(-1)).toMatchObject({
      action: 'local.initialized',
      details: { clientId: 'app', hub: 'lab' },
    })
  })

  it('a CA that does not trust this issuer: what its authorization must list, as YAML', async () => {
    const { state, fake } = stateful('X509', true)
    const ca = fakeClientApp({
      'POST /api/v1/sign/identity-csr': () =>
        plgdError(
          401,
          16,
          'cannot access to /api/v1/sign/identity-csr: invalid token: unknown issuer',
        ),
    })
    const { deps } = depsFor(fake.transport, ca)
    const err = await initClientApp(deps, init({ clientId: 'app', hub: 'lab' })).catch(
      (e: Error) => e,
    )
    expect((err as Error).message).toContain(
      'certificate-authority of hub lab (https://ca.published)',
    )
    expect((err as Error).message).toContain('its `authorization` must list this issuer')
    expect((err as Error).message).toContain('authority: https://issuer.example/m2m-oauth-server')
    expect((err as Error).message).toContain('caPool')
    expect(state.initialized).toBe(false)
  })

  it('a CA that refuses the owner: says which owner', async () => {
    const { fake } = stateful('X509', true)
    const ca = fakeClientApp({
      'POST /api/v1/sign/identity-csr': () => plgdError(403, 7, 'owner mismatch'),
    })
    const { deps } = depsFor(fake.transport, ca)
    await expect(initClientApp(deps, init({ clientId: 'app', hub: 'lab' }))).rejects.toThrow(
      /refused to sign for owner "alice"/,
    )
  })
})

describe('local reset', () => {
  it('keeps the sealed key and records the reset', async () => {
    const { fake } = stateful('PRE_SHARED_KEY')
    const { deps, over, audits, changed } = depsFor(fake.transport)
    await initClientApp(deps, init({}))
    const sealed = over.settings()!.apps[URL]!.pskSealed
    const status = await resetClientApp(deps, {})
    expect(status.initialized).toBe(false)
    expect(over.settings()!.apps[URL]!.pskSealed).toBe(sealed)
    expect(audits.at(-1)?.action).toBe('local.reset')
    expect(changed).toEqual([URL, URL])
  })

  it('a client-application that is not running: the fix, not a reset', async () => {
    const fake = fakeClientApp({ 'GET /.well-known/configuration': () => 'refused' })
    const { deps } = depsFor(fake.transport)
    await expect(resetClientApp(deps, {})).rejects.toThrow(
      /not running at http:\/\/localhost:8080: start it/,
    )
  })
})
