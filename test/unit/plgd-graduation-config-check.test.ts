// @vitest-environment node
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { afterAll, describe, expect, it } from 'vitest'
import { authenticates, goDurationSeconds, loadPlgdConfig } from '../helpers/plgd-m2m-config.js'

/**
 * The tests' own plgd config check must refuse what plgd's server refuses, or the graduation
 * tests that rely on it could pass on a config plgd would not start with.
 */

const dir = mkdtempSync(join(tmpdir(), 'plgd-check-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const ec = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey
const rsa = generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey
writeFileSync(join(dir, 'sec1.pem'), ec.export({ format: 'pem', type: 'sec1' }))
writeFileSync(join(dir, 'pkcs1.pem'), rsa.export({ format: 'pem', type: 'pkcs1' }))
writeFileSync(join(dir, 'secret'), 'with-newline\n')

const client = {
  id: 'c',
  secretFile: 'secret',
  owner: '1',
  accessTokenLifetime: '1h30m',
  allowedGrantTypes: ['client_credentials'],
}
const yaml = (signer: Record<string, unknown>, c: Record<string, unknown> = {}) =>
  stringify({
    oauthSigner: {
      privateKeyFile: 'sec1.pem',
      domain: 'auth.example',
      ownerClaim: 'sub',
      clients: [{ ...client, ...c }],
      ...signer,
    },
  })

describe('the tests plgd config check', () => {
  it('reads files by path, file:// and data:, keeps secret bytes, derives kid and alg as plgd', () => {
    const served = loadPlgdConfig(yaml({}), dir)
    expect(served.issuer).toBe('https://auth.example/m2m-oauth-server')
    expect(served.jwks.keys[0]!.alg).toBe('ES384')
    expect(served.jwks.keys[0]!.kid).toMatch(/^[0-9a-f-]{36}$/)
    expect(served.jwks.keys[0]!.kid[14]).toBe('5') // UUID version 5
    expect(served.clients[0]!.accessTokenLifetimeSeconds).toBe(5400)
    expect(authenticates(served.clients[0]!, 'with-newline\n')).toBe(true)
    expect(authenticates(served.clients[0]!, 'with-newline')).toBe(false)
    const rsaServed = loadPlgdConfig(
      yaml(
        { privateKeyFile: `file://${join(dir, 'pkcs1.pem')}` },
        { secretFile: 'data:;base64,YWI=' },
      ),
      '/',
    )
    expect(rsaServed.jwks.keys[0]!.alg).toBe('RS384')
    expect(rsaServed.clients[0]!.secret).toEqual(Buffer.from('ab'))
  })

  it.each([
    ['no domain', { domain: '' }, {}, /domain: required/],
    ['no clients', { clients: [] }, {}, /clients: required/],
    ['no key', { privateKeyFile: '' }, {}, /privateKeyFile: required/],
    ['a key that is not PEM', { privateKeyFile: 'data:,nope' }, {}, /no PEM block/],
    ['no owner', {}, { owner: '' }, /owner: required/],
    ['no secret file', {}, { secretFile: undefined }, /secretFile: required/],
    ['another grant', {}, { allowedGrantTypes: ['password'] }, /only client_credentials/],
    ['a bad duration', {}, { accessTokenLifetime: '1 hour' }, /invalid duration/],
    ['a missing secret file', {}, { secretFile: 'nope' }, /ENOENT/],
  ])('rejects %s', (_name, signer, c, message) => {
    expect(() => loadPlgdConfig(yaml(signer, c), dir)).toThrow(message)
  })

  it('accepts a jwtPrivateKey client without owner or secret', () => {
    const served = loadPlgdConfig(
      yaml(
        {},
        {
          owner: undefined,
          secretFile: undefined,
          jwtPrivateKey: {
            enabled: true,
            authorization: { endpoints: [{ authority: 'https://idp' }] },
          },
        },
      ),
      dir,
    )
    expect(served.clients[0]!.secret).toBeNull()
    expect(goDurationSeconds('0s')).toBe(0)
  })
})
