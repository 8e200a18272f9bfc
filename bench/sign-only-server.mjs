// Reference: the least a token endpoint can do. Every POST gets a fresh ES256 JWT signed with
// node:crypto over HTTPS; no client authentication, no policy, no ledger. Our issuer is
// measured against this floor.
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto'
import { createServer } from 'node:https'
import { announceReady, makeTls } from './lib.mjs'

const ISSUER = 'https://127.0.0.1/m2m-oauth-server'
const OWNER_CLAIM = 'https://plgd.dev/owner'
const LIFETIME = 3600

const tls = await makeTls()
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const signingKey = { key: privateKey, dsaEncoding: 'ieee-p1363' }
const header = segment({ alg: 'ES256', kid: 'sign-only-reference', typ: 'JWT' })

function segment(value) {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

function mint() {
  const iat = Math.floor(Date.now() / 1000)
  const payload = {
    jti: randomUUID(),
    sub: '1',
    iat,
    exp: iat + LIFETIME,
    scope: '',
    client_id: 'bench',
    iss: ISSUER,
    [OWNER_CLAIM]: '1',
  }
  const input = `${header}.${segment(payload)}`
  const signature = sign('sha256', Buffer.from(input), signingKey).toString('base64url')
  return `${input}.${signature}`
}

const server = createServer({ key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' }, (req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'POST' })
    res.end()
    return
  }
  // Like any token endpoint, answer once the (small) form body has arrived.
  req.resume()
  req.on('end', () => {
    const body = JSON.stringify({
      access_token: mint(),
      token_type: 'Bearer',
      expires_in: LIFETIME,
    })
    res.writeHead(200, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      pragma: 'no-cache',
    })
    res.end(body)
  })
})

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address()
  announceReady({ port, path: '/oauth/token', ca: tls.ca })
})
