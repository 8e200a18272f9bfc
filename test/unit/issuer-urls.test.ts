import type { IncomingMessage, ServerResponse } from 'node:http'
import { describe, expect, it } from 'vitest'
import { createIssuerHandler } from '../../electron/issuer/issuer-handler.js'
import {
  authorizationServerMetadata,
  discoveryDocument,
  issuerUrls,
} from '../../electron/issuer/issuer-urls.js'

const ORIGIN = 'https://hub-issuer.example:8443'
const silentLogger = { debug() {}, info() {}, warn() {}, error() {} }

/** The status the issuer's router answers for a method on a path (405: routed, 404: not). */
async function routed(path: string): Promise<number> {
  const handler = createIssuerHandler({
    tokens: {} as never,
    keys: {} as never,
    discoveryJson: () => '{}',
    metadataJson: () => '{}',
    tokensApi: {} as never,
    extensions: {} as never,
    log: silentLogger,
  })
  let status = 0
  const res = {
    headersSent: false,
    setHeader() {},
    writeHead(code: number) {
      status = code
    },
    end() {},
  }
  const req = { url: path, method: 'PATCH', headers: {}, socket: {} }
  await handler(req as unknown as IncomingMessage, res as unknown as ServerResponse)
  return status
}

describe('issuer URLs', () => {
  it("are plgd's m2m-oauth-server paths under the origin", () => {
    expect(issuerUrls(ORIGIN)).toEqual({
      issuer: `${ORIGIN}/m2m-oauth-server`,
      tokenEndpoint: `${ORIGIN}/m2m-oauth-server/oauth/token`,
      jwksUri: `${ORIGIN}/m2m-oauth-server/.well-known/jwks.json`,
    })
  })

  it('discovery names the same URLs, and the tokens endpoint only on a station', () => {
    const urls = issuerUrls(ORIGIN)
    const laptop = discoveryDocument(ORIGIN, false)
    expect(laptop).toEqual({
      issuer: urls.issuer,
      token_endpoint: urls.tokenEndpoint,
      jwks_uri: urls.jwksUri,
    })
    expect(discoveryDocument(ORIGIN, true)).toEqual({
      ...laptop,
      plgd_tokens_endpoint: `${ORIGIN}/m2m-oauth-server/api/v1/tokens`,
    })
  })

  it('RFC 8414 metadata agrees with discovery and lists the signing algorithms given', () => {
    const metadata = authorizationServerMetadata(ORIGIN, ['ES256', 'RS256'])
    expect(metadata).toMatchObject(discoveryDocument(ORIGIN, false))
    expect(metadata).toMatchObject({
      revocation_endpoint: `${ORIGIN}/m2m-oauth-server/oauth/revoke`,
      introspection_endpoint: `${ORIGIN}/m2m-oauth-server/oauth/introspect`,
      access_token_signing_alg_values_supported: ['ES256', 'RS256'],
      grant_types_supported: ['client_credentials'],
    })
  })

  it('every URL published is a route of the issuer', async () => {
    const published = [
      ...Object.values(discoveryDocument(ORIGIN, true)),
      ...Object.entries(authorizationServerMetadata(ORIGIN, ['ES256']))
        .filter(
          ([field]) => field === 'issuer' || field.endsWith('_endpoint') || field === 'jwks_uri',
        )
        .map(([, url]) => url),
    ].filter((url) => url !== issuerUrls(ORIGIN).issuer)
    expect(published.length).toBeGreaterThanOrEqual(6)
    for (const url of new Set(published)) {
      expect({ url, status: await routed(new URL(String(url)).pathname) }).toEqual({
        url,
        status: 405,
      })
    }
    // The RFC 8414 document itself is served where §3 puts it for this issuer.
    expect(await routed('/.well-known/oauth-authorization-server/m2m-oauth-server')).toBe(405)
    expect(await routed('/m2m-oauth-server/oauth/nowhere')).toBe(404)
  })
})
