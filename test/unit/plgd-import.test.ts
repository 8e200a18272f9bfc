// @vitest-environment node
import { generateKeyPairSync } from 'node:crypto'
import { stringify } from 'yaml'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createDispatcher, type Dispatch } from '../../electron/api/dispatcher.js'
import type { ClientView, Envelope, PlgdImport } from '../../shared/contract/index.js'
import { openTestApp, type TestApp } from '../helpers/fakes.js'
import { plgdKidOf } from '../helpers/plgd-m2m-config.js'

/**
 * Import of a plgd m2m-oauth-server config written by hand, as plgd's own docs show it: the
 * key with plgd's kid, secrets from their files (raw bytes), `0s` lifetimes, refusals that name
 * the field or file, and nothing changed by a refused import.
 */

let t: TestApp
let cli: Dispatch

const ecKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey
const SEC1_PEM = ecKey.export({ format: 'pem', type: 'sec1' }).toString()

function config(overrides: Record<string, unknown> = {}, client: Record<string, unknown> = {}) {
  return stringify({
    apis: { http: { address: '0.0.0.0:9101' } },
    oauthSigner: {
      privateKeyFile: 'keys/signing.pem',
      domain: 'auth.example.com',
      ownerClaim: 'https://example.com/owner',
      deviceIDClaim: 'https://plgd.dev/deviceId',
      clients: [
        {
          id: 'console-dps',
          secretFile: 'data:,very-secret%0A',
          owner: '1',
          accessTokenLifetime: '0s',
          allowedGrantTypes: ['client_credentials'],
          allowedAudiences: [],
          allowedScopes: [],
          insertTokenClaims: { hardcodedClaim: true },
          ...client,
        },
      ],
      ...overrides,
    },
  })
}

async function run(input: Record<string, unknown>): Promise<Envelope<unknown>> {
  return cli('import.plgd', { files: { 'keys/signing.pem': SEC1_PEM }, ...input })
}
async function refused(input: Record<string, unknown>): Promise<string> {
  const e = await run(input)
  if (e.ok) throw new Error('imported')
  return e.error.message
}

beforeEach(async () => {
  t = await openTestApp()
  cli = createDispatcher(t.app, 'cli')
})
afterEach(() => t.close())

describe('import.plgd from a hand-written config', () => {
  it("keeps plgd's kid, the raw secret bytes and the claims; 0s becomes the issuer's cap, said in a note", async () => {
    const e = await run({ configYaml: config() })
    if (!e.ok) throw new Error(e.error.message)
    const result = e.value as PlgdImport
    expect(result.key).toEqual({ kid: plgdKidOf(ecKey), alg: 'ES256', activated: true })
    expect(t.app.keys.active().kid).toBe(plgdKidOf(ecKey))
    expect(result.claims).toEqual({
      ownerClaim: 'https://example.com/owner',
      deviceIdClaim: 'https://plgd.dev/deviceId',
    })
    expect(t.app.issuerSettings().ownerClaim).toBe('https://example.com/owner')
    // data:,very-secret%0A is "very-secret\n": the newline is part of the secret.
    expect(t.app.clients.authenticate('console-dps', 'very-secret\n')?.id).toBe('console-dps')
    expect(t.app.clients.authenticate('console-dps', 'very-secret')).toBeUndefined()
    const client = (await cli('clients.get', { id: 'console-dps' })) as { value: ClientView }
    expect(client.value).toMatchObject({
      owner: '1',
      maxLifetimeSeconds: t.app.issuerSettings().maxLifetimeSeconds,
      extraClaims: { hardcodedClaim: true },
      auth: { method: 'client_secret' },
    })
    expect(result.notes.join('\n')).toMatch(/0s \(no expiry\) is not allowed here/)
    expect(result.notes.join('\n')).not.toMatch(/unknown field/)
  })

  it('reports unknown fields; --no-activate publishes the key as next', async () => {
    const e = await run({
      configYaml: config({ colour: 'red' }, { nickname: 'x', accessTokenLifetime: '1h' }),
      activate: false,
    })
    if (!e.ok) throw new Error(e.error.message)
    const result = e.value as PlgdImport
    expect(result.notes).toEqual(
      expect.arrayContaining([
        'unknown field oauthSigner.colour ignored',
        'unknown field oauthSigner.clients[0] (console-dps).nickname ignored',
      ]),
    )
    expect(t.app.keys.list().find((k) => k.kid === plgdKidOf(ecKey))?.state).toBe('next')
    expect(t.app.clients.get('console-dps').maxLifetimeSeconds).toBe(3600)
  })

  it.each([
    [{ owner: '' }, /owner is required/],
    [{ allowedGrantTypes: ['password'] }, /allowedGrantTypes must be \[client_credentials\]/],
    [{ accessTokenLifetime: 'soon' }, /not a Go duration/],
    [{ accessTokenLifetime: '9999h' }, /exceeds the issuer's cap.*settings set --max-lifetime/],
    [{ secretFile: '/etc/missing-secret' }, /names \/etc\/missing-secret, which was not given/],
    [{ insertTokenClaims: { iss: 'x' } }, /insertTokenClaims cannot set iss/],
  ])('refuses %j, naming the field, and changes nothing', async (client, message) => {
    const keys = t.app.keys.list()
    expect(await refused({ configYaml: config({}, client) })).toMatch(message)
    expect(t.app.clients.list()).toEqual([])
    expect(t.app.keys.list()).toEqual(keys)
    expect(t.app.issuerSettings().ownerClaim).not.toBe('https://example.com/owner')
  })

  it('refuses a bad key naming its file, and a client id that exists', async () => {
    expect(
      await refused({ configYaml: config(), files: { 'keys/signing.pem': 'not a key' } }),
    ).toMatch(/oauthSigner.privateKeyFile keys\/signing.pem: no PKCS#8, SEC1 or PKCS#1/)
    t.app.clients.add({ id: 'console-dps', owner: 'x' })
    expect(await refused({ configYaml: config() })).toMatch(
      /client console-dps already exists here: remove it first/,
    )
  })

  it('a jwtPrivateKey client becomes a user-assertion client with its authority and CA', async () => {
    const e = await run({
      configYaml: config(
        {},
        {
          secretFile: undefined,
          owner: '9',
          jwtPrivateKey: {
            enabled: true,
            authorization: {
              endpoints: [
                { authority: 'https://idp.example', http: { tls: { caPool: '/certs/idp.pem' } } },
              ],
            },
          },
        },
      ),
      files: { 'keys/signing.pem': SEC1_PEM, '/certs/idp.pem': 'IDP CA' },
    })
    if (!e.ok) throw new Error(e.error.message)
    expect((e.value as PlgdImport).notes.join('\n')).toMatch(/owner 9 dropped/)
    expect(t.app.clients.get('console-dps').owner).toBe('')
    expect(t.app.clients.get('console-dps').auth).toEqual({
      method: 'user_assertion',
      authorities: [{ authority: 'https://idp.example', caPem: 'IDP CA' }],
    })
  })
})

describe('KeyRing.importPem with a kid', () => {
  it("keeps a console kid only when it is the key's thumbprint", async () => {
    await expect(t.app.keys.importPem(SEC1_PEM, false, 'not-its-thumbprint')).rejects.toThrow(
      /not the thumbprint/,
    )
    const { calculateJwkThumbprint, exportJWK } = await import('jose')
    const { createPublicKey } = await import('node:crypto')
    const thumbprint = await calculateJwkThumbprint(await exportJWK(createPublicKey(ecKey)))
    const view = await t.app.keys.importPem(SEC1_PEM, true, thumbprint)
    expect(view.kid).toBe(thumbprint)
    expect(t.app.keys.active().kid).toBe(thumbprint)
  })
})
