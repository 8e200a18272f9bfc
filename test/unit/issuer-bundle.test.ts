// @vitest-environment node
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createDispatcher, type Dispatch } from '../../electron/api/dispatcher.js'
import type { Envelope, IssuerBundle } from '../../shared/contract/index.js'
import { openTestApp, type TestApp } from '../helpers/fakes.js'

/**
 * The static issuer bundle (issue 15 item 2): plgd's discovery without the tokens endpoint and
 * the live JWKS under the authority's path; a kept directory follows rotations and purges.
 */

let t: TestApp
let cli: Dispatch
let dir: string

async function call(
  dispatch: Dispatch,
  method: string,
  input: unknown,
): Promise<Envelope<unknown>> {
  return dispatch(method, input)
}
async function bundle(input: unknown, dispatch = cli): Promise<IssuerBundle> {
  const e = await call(dispatch, 'export.bundle', input)
  if (!e.ok) throw new Error(`${e.error.code}: ${e.error.message}`)
  return e.value as IssuerBundle
}
const jwksKids = (path: string): string[] =>
  (JSON.parse(readFileSync(path, 'utf8')) as { keys: { kid: string }[] }).keys.map((k) => k.kid)

beforeEach(async () => {
  t = await openTestApp()
  cli = createDispatcher(t.app, 'cli')
  dir = mkdtempSync(join(tmpdir(), 'plgd-bundle-'))
})
afterEach(() => {
  t.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('export.bundle', () => {
  it("lays out discovery and the JWKS under the issuer's path; no plgd_tokens_endpoint, even for a station", async () => {
    t.app.setOrigin('https://console.example.lan:8443', true)
    expect(JSON.parse(t.app.discoveryJson())).toHaveProperty('plgd_tokens_endpoint')
    const b = await bundle({})
    expect(b.authority).toBe('https://console.example.lan:8443/m2m-oauth-server')
    expect(b.files.map((f) => f.path)).toEqual([
      'm2m-oauth-server/.well-known/openid-configuration',
      'm2m-oauth-server/.well-known/jwks.json',
    ])
    const discovery = JSON.parse(b.files[0]!.content)
    expect(discovery).toEqual({
      issuer: 'https://console.example.lan:8443/m2m-oauth-server',
      token_endpoint: 'https://console.example.lan:8443/m2m-oauth-server/oauth/token',
      jwks_uri: 'https://console.example.lan:8443/m2m-oauth-server/.well-known/jwks.json',
    })
    expect(JSON.parse(b.files[1]!.content)).toEqual(JSON.parse(t.app.keys.jwksJson()))
    expect(b.notes.join('\n')).toMatch(/revocation\) is off/)
    expect(b.keptUpdatedIn).toBeNull()
  })

  it('refuses an authority other than the issuer, naming the settings that fix it', async () => {
    const e = await call(cli, 'export.bundle', {
      authority: 'https://static.example/m2m-oauth-server',
    })
    expect(e.ok).toBe(false)
    if (!e.ok)
      expect(e.error.message).toMatch(/settings set --public-host static\.example --port 443/)
    // The issuer itself, with a trailing slash, is the same issuer.
    await expect(bundle({ authority: `${t.app.urls().issuer}/` })).resolves.toBeTruthy()
  })

  it('only the command line keeps a directory; an absolute one', async () => {
    const viaConsole = createDispatcher(t.app, 'console')
    const e = await call(viaConsole, 'export.bundle', { keepUpdatedIn: dir })
    expect(!e.ok && e.error.message).toMatch(/only the command line/)
    const relative = await call(cli, 'export.bundle', { keepUpdatedIn: 'www/issuer' })
    expect(!relative.ok && relative.error.message).toMatch(/absolute/)
    expect(t.app.settings.get('issuerBundle')).toBeUndefined()
  })

  it('a kept directory is re-written with the new key on rotation and after a purge, until stopped', async () => {
    const b = await bundle({ keepUpdatedIn: dir })
    expect(b.keptUpdatedIn).toBe(dir)
    const jwksPath = join(dir, 'm2m-oauth-server/.well-known/jwks.json')
    await call(cli, 'keys.rotate', {})
    const afterRotation = jwksKids(jwksPath)
    const published = t.app.keys.list().map((k) => k.kid)
    expect(afterRotation.sort()).toEqual([...published].sort())
    expect(afterRotation).toContain(t.app.keys.active().kid)
    expect(statSync(jwksPath).mode & 0o777).toBe(0o644)
    const discovery = JSON.parse(
      readFileSync(join(dir, 'm2m-oauth-server/.well-known/openid-configuration'), 'utf8'),
    )
    expect(discovery).not.toHaveProperty('plgd_tokens_endpoint')

    // The retired key leaves the JWKS at the purge after its tokens expired: the file follows.
    const retiring = t.app.keys.list().find((k) => k.state === 'retiring')!
    t.clock.advance(t.app.issuerSettings().maxLifetimeSeconds + 1)
    t.app.purgeExpired()
    expect(jwksKids(jwksPath)).not.toContain(retiring.kid)

    await bundle({ stopUpdating: true })
    const before = readFileSync(jwksPath, 'utf8')
    await call(cli, 'keys.rotate', {})
    expect(readFileSync(jwksPath, 'utf8')).toBe(before)
  })
})
