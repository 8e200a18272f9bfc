// Not a product: what our own token path gets from two threads that each accept connections,
// terminate TLS, authenticate, record and sign, with no hand-off between them. It runs the
// issuer's compiled modules (dist/node): the real handler, TokenService, client registry with
// hashed secrets, failed-authentication throttle, policy, claims, signer and token ledger, each
// thread with its own ledger connection to one database, under the same heap bounds as `serve`.
//
// Not shippable as written: the second thread listens on the first one's descriptor
// (listen({ fd })), and closing either thread's handle closes the descriptor under the other.
// libuv then aborts the process or closes whatever reused the number. This server therefore never
// closes: it exits with its stdin. A socket per thread (Node 22.12's reusePort, or on Node 20
// node-unix-socket's createReuseportFd) avoids that. See docs/performance.md.
//
// Usage: node two-acceptor-prototype.mjs CLIENT_SECRET (client "bench", owner "1").
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:https'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { announceReady, makeTls, ROOT } from './lib.mjs'

const require = createRequire(import.meta.url)
const dist = (path) => require(join(ROOT, 'dist/node', path))
const { boundOldGeneration, boundYoungGeneration, SEMI_SPACE_BOUND_MIB } = dist(
  'electron/platform/heap-bounds.js',
)
// First, as bin/plgd-m2m-console.js does: loading the modules would otherwise grow the heap.
if (isMainThread) boundYoungGeneration()
const { ClientRegistry } = dist('electron/clients/client-registry.js')
const { hashClientSecret } = dist('electron/clients/client-secret.js')
const { createIssuerHandler } = dist('electron/issuer/issuer-handler.js')
const { createSigner } = dist('electron/keys/signer.js')
const { TokenLedger } = dist('electron/ledger/token-ledger.js')
const { AuthThrottle } = dist('electron/oauth/auth-throttle.js')
const { TokenService } = dist('electron/oauth/token-service.js')
const { openRecordsDb } = dist('electron/platform/records-db.js')
const { SETTINGS_DEFAULTS } = dist('electron/app-settings.js')

if (isMainThread) await main()
else serveOnDescriptor()

async function main() {
  const secret = process.argv[2]
  if (!secret) throw new Error('usage: two-acceptor-prototype.mjs CLIENT_SECRET')
  const pepper = randomBytes(32)
  const shared = {
    tls: await makeTls(),
    der: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      format: 'der',
      type: 'pkcs8',
    }),
    pepper,
    clients: benchClient(pepper, secret),
    dataDir: mkdtempSync(join(tmpdir(), 'plgd-m2m-prototype-')),
  }
  // The process ends with process.exit (announceReady): the ledger goes with it.
  process.on('exit', () => rmSync(shared.dataDir, { recursive: true, force: true }))
  const server = issuerServer(shared)
  server.listen(0, '127.0.0.1', async () => {
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { ...shared, fd: server._handle.fd },
      resourceLimits: { maxYoungGenerationSizeMb: 3 * SEMI_SPACE_BOUND_MIB },
    })
    worker.unref()
    await new Promise((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
    const { port } = server.address()
    boundOldGeneration()
    announceReady({ port, path: '/m2m-oauth-server/oauth/token', ca: shared.tls.ca })
  })
}

function serveOnDescriptor() {
  issuerServer(workerData).listen({ fd: workerData.fd }, () => parentPort.postMessage('listening'))
}

/**
 * One thread's issuer: the same handler and services `serve` builds, signing inline. Only the
 * token endpoint is wired; the other routes have no services behind them.
 */
function issuerServer({ tls, der, pepper, clients, dataDir }) {
  const settings = SETTINGS_DEFAULTS.issuer
  const registry = clientRegistry(pepper, {
    load: () => clients,
    save: () => {
      throw new Error('read-only')
    },
  })
  const ledger = new TokenLedger(openRecordsDb(dataDir))
  const key = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' })
  const signer = createSigner(key, 'prototype', 'ES256')
  const unused = () => {
    throw new Error('not used by client_secret clients')
  }
  const tokens = new TokenService({
    clients: registry,
    issue: async (claims, typ, record) => {
      const [token] = await Promise.all([signer.signJwt(claims, typ), ledger.record(record)])
      return token
    },
    throttle: new AuthThrottle(),
    assertions: { verify: unused },
    authorities: { verify: unused },
    nowSeconds: unixNow,
    identity: () => ({
      issuer: 'https://127.0.0.1/m2m-oauth-server',
      tokenEndpoint: 'https://127.0.0.1/m2m-oauth-server/oauth/token',
      ownerClaim: settings.ownerClaim,
      deviceIdClaim: settings.deviceIdClaim,
      maxLifetimeSeconds: settings.maxLifetimeSeconds,
      iatBackdateSeconds: settings.iatBackdateSeconds,
    }),
  })
  const handler = createIssuerHandler({
    tokens,
    keys: { jwksJson: unused },
    discoveryJson: unused,
    metadataJson: unused,
    tokensApi: {},
    extensions: {},
    log: { error: (message, fields) => process.stderr.write(`${message} ${fields?.error}\n`) },
  })
  const server = createServer({ key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' }, handler)
  // As issuer-server.ts sets them.
  server.headersTimeout = 10_000
  server.requestTimeout = 15_000
  server.keepAliveTimeout = 30_000
  return server
}

/** The client `clients add --id bench --owner 1` creates, with the given secret. */
function benchClient(pepper, secret) {
  let saved = {}
  clientRegistry(pepper, {
    load: () => ({}),
    save: (all) => {
      saved = all
    },
  }).add({ id: 'bench', owner: '1' })
  const hash = hashClientSecret(pepper, secret).toString('base64url')
  saved.bench.secrets = [{ hash, createdAt: saved.bench.createdAt, expiresAt: null }]
  return saved
}

function clientRegistry(pepper, { load, save }) {
  const limits = () => ({
    maxLifetimeSeconds: SETTINGS_DEFAULTS.issuer.maxLifetimeSeconds,
    reservedClaims: [],
  })
  return new ClientRegistry({ pepper, nowSeconds: unixNow, limits, load, save })
}

function unixNow() {
  return Math.floor(Date.now() / 1000)
}
