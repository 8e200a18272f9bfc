// Reference: the least a token endpoint can do. Every POST gets a fresh ES256 JWT signed with
// node:crypto over HTTPS; no client authentication, no policy, no ledger. Our issuer is
// measured against this floor.
//
// Usage: node sign-only-server.mjs [threads]. With 2, a worker thread accepts on the same
// listening socket: what a second core gives this handler on this machine, next to the
// load generator.
import { createPrivateKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto'
import { createServer } from 'node:https'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { announceReady, makeTls } from './lib.mjs'

const ISSUER = 'https://127.0.0.1/m2m-oauth-server'
const OWNER_CLAIM = 'https://plgd.dev/owner'
const LIFETIME = 3600

if (isMainThread) await main()
else startSecondThread()

async function main() {
  const threads = Number(process.argv[2] ?? 1)
  if (threads !== 1 && threads !== 2) throw new Error(`threads must be 1 or 2, not ${threads}`)
  const tls = await makeTls()
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const server = tokenServer(tls, privateKey)
  server.listen(0, '127.0.0.1', async () => {
    // No public API gives a listening socket's descriptor; a worker can listen on it with
    // listen({ fd }) (Node 20 has no reusePort).
    if (threads === 2) await spawnSecondThread(server._handle.fd, tls, privateKey)
    const { port } = server.address()
    announceReady({ port, path: '/oauth/token', ca: tls.ca })
  })
}

function spawnSecondThread(fd, tls, privateKey) {
  const der = privateKey.export({ format: 'der', type: 'pkcs8' })
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { fd, tls: { key: tls.key, cert: tls.cert }, der },
  })
  worker.unref()
  return new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
}

function startSecondThread() {
  const { fd, tls, der } = workerData
  const privateKey = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' })
  tokenServer(tls, privateKey).listen({ fd }, () => parentPort.postMessage('listening'))
}

function tokenServer(tls, privateKey) {
  const signingKey = { key: privateKey, dsaEncoding: 'ieee-p1363' }
  const header = segment({ alg: 'ES256', kid: 'sign-only-reference', typ: 'JWT' })
  const mint = () => {
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
  return createServer({ key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' }, (req, res) => {
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
}

function segment(value) {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}
