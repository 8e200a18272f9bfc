// @vitest-environment node
import * as oidc from 'openid-client'
import { caFetch } from '../helpers/oidc-fetch.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  FORM,
  basicAuth,
  cliJson,
  decodeJwt,
  httpRequest,
  killAllServes,
  makeTempDir,
  removeTempDirs,
  startServe,
  type HttpResponse,
  type ServeHandle,
} from '../helpers/cli.js'

/**
 * The RFC extras beside plgd's routes: RFC 8414 metadata, RFC 7662 introspection and RFC 7009
 * revocation, as a standards-compliant client (openid-client 6) and raw HTTP see them.
 */

const OWNER_CLAIM = 'https://plgd.dev/owner'
const METADATA_PATH = '/.well-known/oauth-authorization-server/m2m-oauth-server'

interface Credentials {
  clientId: string
  clientSecret: string
}

interface TokenRecordView {
  id: string
  clientId: string
  blacklisted: { flag: boolean; timestamp: number } | null
}

let dataDir: string
let server: ServeHandle
let origin: string
/** Owner 1: the client whose tokens are introspected and revoked. */
let alice: Credentials
/** Owner 1 too, another client. */
let carol: Credentials
/** Owner 2. */
let bob: Credentials

/** RFC 8414 discovery (`algorithm: 'oauth2'`: the well-known segment inserted before the path). */
function discover(client: Credentials): Promise<oidc.Configuration> {
  return oidc.discovery(
    new URL(server.ready.issuer),
    client.clientId,
    undefined,
    oidc.ClientSecretBasic(client.clientSecret),
    { [oidc.customFetch]: caFetch(server.ca!), algorithm: 'oauth2' },
  )
}

async function issue(client: Credentials): Promise<{ token: string; jti: string }> {
  const res = await httpRequest(server.ready.tokenEndpoint, {
    method: 'POST',
    agent: server.agent,
    headers: {
      'content-type': FORM,
      authorization: basicAuth(client.clientId, client.clientSecret),
    },
    body: 'grant_type=client_credentials',
  })
  expect(res.status, res.text).toBe(200)
  const token = res.json<{ access_token: string }>().access_token
  return { token, jti: String(decodeJwt(token).payload.jti) }
}

/** A raw form POST to one of the RFC endpoints, with Basic credentials unless `auth` is null. */
function postForm(
  url: string,
  form: Record<string, string>,
  client: Credentials | null,
): Promise<HttpResponse> {
  const headers: Record<string, string> = { 'content-type': FORM }
  if (client) headers.authorization = basicAuth(client.clientId, client.clientSecret)
  return httpRequest(url, {
    method: 'POST',
    agent: server.agent,
    headers,
    body: new URLSearchParams(form).toString(),
  })
}

let metadata: Record<string, unknown>

beforeAll(async () => {
  dataDir = makeTempDir()
  alice = await cliJson<Credentials>(['clients', 'add', '--id', 'alice', '--owner', '1'], {
    dataDir,
  })
  carol = await cliJson<Credentials>(['clients', 'add', '--id', 'carol', '--owner', '1'], {
    dataDir,
  })
  bob = await cliJson<Credentials>(['clients', 'add', '--id', 'bob', '--owner', '2'], { dataDir })
  server = await startServe(dataDir)
  origin = new URL(server.ready.issuer).origin
  const res = await httpRequest(`${origin}${METADATA_PATH}`, { agent: server.agent })
  expect(res.status, res.text).toBe(200)
  metadata = res.json()
})

afterAll(async () => {
  try {
    await server?.stop()
  } finally {
    await killAllServes()
    removeTempDirs()
  }
})

describe('RFC 8414 authorization server metadata', () => {
  it('is served at the path-inserted well-known URL with the endpoints and methods', () => {
    const issuer = server.ready.issuer
    expect(metadata.issuer).toBe(issuer)
    expect(metadata.token_endpoint).toBe(server.ready.tokenEndpoint)
    expect(metadata.jwks_uri).toBe(server.ready.jwksUri)
    expect(metadata.grant_types_supported).toEqual(['client_credentials'])
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'private_key_jwt']),
    )
    expect(metadata.revocation_endpoint).toBe(`${issuer}/oauth/revoke`)
    expect(metadata.introspection_endpoint).toBe(`${issuer}/oauth/introspect`)
    for (const url of [metadata.revocation_endpoint, metadata.introspection_endpoint]) {
      expect(new URL(String(url)).origin).toBe(origin)
    }
  })

  it('lets openid-client 6 discover the issuer (RFC 8414) and get a token', async () => {
    const config = await discover(alice)
    const meta = config.serverMetadata()
    expect(meta.issuer).toBe(server.ready.issuer)
    expect(meta.revocation_endpoint).toBe(metadata.revocation_endpoint)
    expect(meta.introspection_endpoint).toBe(metadata.introspection_endpoint)
    const tokens = await oidc.clientCredentialsGrant(config)
    expect(tokens.token_type.toLowerCase()).toBe('bearer')
    expect(decodeJwt(tokens.access_token).payload[OWNER_CLAIM]).toBe('1')
  })
})

describe('RFC 7662 introspection', () => {
  it('reports a live token active with its claims, and inactive once revoked', async () => {
    const config = await discover(alice)
    const { token, jti } = await issue(alice)
    const claims = decodeJwt(token).payload
    const live = await oidc.tokenIntrospection(config, token)
    expect(live).toMatchObject({
      active: true,
      jti,
      client_id: 'alice',
      sub: '1',
      token_type: 'Bearer',
      iat: claims.iat,
      exp: claims.exp,
      [OWNER_CLAIM]: '1',
    })
    expect(live.scope ?? '').toBe('')

    const revoked = await cliJson<{ blacklistedCount: number }>(['token', 'revoke', jti], {
      dataDir,
    })
    expect(revoked.blacklistedCount).toBe(1)
    const after = await oidc.tokenIntrospection(config, token)
    expect(after).toEqual({ active: false })
  })

  it("reports another owner's token inactive, and garbage inactive", async () => {
    const { token } = await issue(alice)
    const res = await postForm(`${server.ready.issuer}/oauth/introspect`, { token }, bob)
    expect(res.status, res.text).toBe(200)
    expect(res.json()).toEqual({ active: false })
    const garbage = await postForm(
      `${server.ready.issuer}/oauth/introspect`,
      { token: 'not-a-token' },
      alice,
    )
    expect(garbage.json()).toEqual({ active: false })
    // The owner's own client still sees it active.
    const own = await postForm(`${server.ready.issuer}/oauth/introspect`, { token }, alice)
    expect(own.json()).toMatchObject({ active: true })
  })

  it('refuses a caller without client authentication with 401', async () => {
    const { token } = await issue(alice)
    const res = await postForm(`${server.ready.issuer}/oauth/introspect`, { token }, null)
    expect(res.status, res.text).toBe(401)
    expect(res.json()).toMatchObject({ error: 'invalid_client' })
    expect(res.text).not.toContain('"active"')
  })
})

describe('RFC 7009 revocation', () => {
  const revocationUrl = (): string => `${server.ready.issuer}/oauth/revoke`

  async function ledgerRecord(jti: string): Promise<TokenRecordView | undefined> {
    const page = await cliJson<{ items: TokenRecordView[] }>(
      ['token', 'list', '--search', jti, '--status', 'all'],
      { dataDir },
    )
    return page.items.find((r) => r.id === jti)
  }

  it('answers 200 for a token it does not know', async () => {
    for (const token of ['not-a-token', 'eyJhbGciOiJub25lIn0.eyJqdGkiOiJ4In0.']) {
      const res = await postForm(revocationUrl(), { token }, alice)
      expect(res.status, `${token}: ${res.text}`).toBe(200)
    }
    // openid-client treats any non-200 as an error.
    await expect(oidc.tokenRevocation(await discover(alice), 'unknown')).resolves.toBeUndefined()
  })

  it("revokes the client's own token: the ledger shows it revoked", async () => {
    const { token, jti } = await issue(alice)
    await oidc.tokenRevocation(await discover(alice), token, { token_type_hint: 'access_token' })
    const record = await ledgerRecord(jti)
    expect(record?.clientId).toBe('alice')
    expect(record?.blacklisted?.flag).toBe(true)
    const introspected = await postForm(`${server.ready.issuer}/oauth/introspect`, { token }, alice)
    expect(introspected.json()).toEqual({ active: false })
  })

  it("cannot revoke another client's token, even one of the same owner", async () => {
    const { token, jti } = await issue(alice)
    for (const other of [bob, carol]) {
      const res = await postForm(revocationUrl(), { token }, other)
      expect(res.status, res.text).toBe(200)
    }
    const introspected = await postForm(`${server.ready.issuer}/oauth/introspect`, { token }, alice)
    expect(introspected.json()).toMatchObject({ active: true, jti })
    const record = await ledgerRecord(jti)
    expect(record?.blacklisted).toBeNull()
  })

  it('refuses a caller without client authentication with 401 and revokes nothing', async () => {
    const { token } = await issue(alice)
    const res = await postForm(revocationUrl(), { token }, null)
    expect(res.status, res.text).toBe(401)
    expect(res.json()).toMatchObject({ error: 'invalid_client' })
    const introspected = await postForm(`${server.ready.issuer}/oauth/introspect`, { token }, alice)
    expect(introspected.json()).toMatchObject({ active: true })
  })
})
