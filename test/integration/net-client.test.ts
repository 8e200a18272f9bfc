// @vitest-environment node
import 'reflect-metadata'
import { webcrypto } from 'node:crypto'
import { createServer as createHttpServer, type RequestListener } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net'
import * as x509 from '@peculiar/x509'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { measureClockSkew } from '../../electron/net/clock-skew.js'
import { httpsGet, httpsGetJson, request } from '../../electron/net/http-client.js'
import { NetError, type NetFailure, type TlsFailure } from '../../electron/net/net-error.js'

/**
 * The network client against real servers on 127.0.0.1: each failure class is produced for
 * real (a CA of this file's own, a closed port, a name under .invalid, a server that never
 * answers) and must come back as a NetError of its layer.
 */

x509.cryptoProvider.set(webcrypto as unknown as Crypto)
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const
const DAY = 24 * 3600 * 1000

interface Leaf {
  certPem: string
  keyPem: string
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key))
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64')}\n-----END PRIVATE KEY-----\n`
}

async function testCa() {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=net-client test CA',
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 30 * DAY),
    signingAlgorithm: EC,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
    ],
  })
  let serial = 1
  return {
    certPem: cert.toString('pem'),
    /** A server certificate for `san` ({type:'ip'|'dns', value}), valid over [from, to]. */
    async issue(
      san: { type: 'ip' | 'dns'; value: string },
      from = Date.now() - DAY,
      to = Date.now() + DAY,
    ): Promise<Leaf> {
      const leaf = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])
      const issued = await x509.X509CertificateGenerator.create({
        serialNumber: String(++serial).padStart(2, '0'),
        subject: `CN=${san.value}`,
        issuer: cert.subjectName,
        notBefore: new Date(from),
        notAfter: new Date(to),
        signingAlgorithm: EC,
        publicKey: leaf.publicKey,
        signingKey: keys.privateKey,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          new x509.SubjectAlternativeNameExtension([san]),
        ],
      })
      return { certPem: issued.toString('pem'), keyPem: await keyPem(leaf.privateKey) }
    },
  }
}

const servers: { close(): unknown; closeAllConnections?(): void }[] = []

async function listen<S extends Server>(server: S): Promise<number> {
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

const answer: RequestListener = (req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    if (req.url === '/missing') {
      res.writeHead(404, { 'content-type': 'application/json' })
      return res.end('{"code":5}')
    }
    if (req.url === '/large') return res.end('x'.repeat(4096))
    if (req.url === '/not-json') return res.end('<html>')
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({
        method: req.method,
        accept: req.headers.accept ?? null,
        contentType: req.headers['content-type'] ?? null,
        body: Buffer.concat(chunks).toString('utf8'),
      }),
    )
  })
}

let caPem: string
let trustedLeaf: Leaf
let trusted: string
let wrongName: string
let expired: string

beforeAll(async () => {
  const ca = await testCa()
  caPem = ca.certPem
  const https = async (leaf: Leaf): Promise<string> =>
    `https://127.0.0.1:${await listen(createHttpsServer({ key: leaf.keyPem, cert: leaf.certPem }, answer))}`
  trustedLeaf = await ca.issue({ type: 'ip', value: '127.0.0.1' })
  trusted = await https(trustedLeaf)
  wrongName = await https(await ca.issue({ type: 'dns', value: 'hub.example.com' }))
  expired = await https(
    await ca.issue({ type: 'ip', value: '127.0.0.1' }, Date.now() - 3 * DAY, Date.now() - DAY),
  )
})

afterAll(() => {
  for (const server of servers) {
    server.closeAllConnections?.()
    server.close()
  }
})

/** The NetError a promise rejects with (fails the test if it resolves or rejects otherwise). */
async function failure(promise: Promise<unknown>): Promise<NetError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(NetError)
  return err as NetError
}

function expectFailure(
  err: NetError,
  failure: NetFailure,
  extra: { code?: string; tls?: TlsFailure; status?: number } = {},
): void {
  expect({ failure: err.failure, ...pick(err, extra) }).toEqual({ failure, ...extra })
}

function pick(err: NetError, extra: object): Record<string, unknown> {
  const all: Record<string, unknown> = { code: err.code, tls: err.tls, status: err.status }
  return Object.fromEntries(Object.keys(extra).map((k) => [k, all[k]]))
}

describe('net client: success', () => {
  it('GETs JSON from a server whose certificate comes from the chosen CA', async () => {
    const doc = await httpsGetJson(`${trusted}/doc`, { caPem })
    expect(doc).toEqual({ method: 'GET', accept: 'application/json', contentType: null, body: '' })
  })

  it('sends a method, headers and a body, and resolves whatever the status', async () => {
    const res = await request(`${trusted}/doc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
      caPem,
    })
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body.toString('utf8'))).toEqual({
      method: 'POST',
      accept: null,
      contentType: 'application/json',
      body: '{"a":1}',
    })
    expect((await request(`${trusted}/missing`, { caPem })).status).toBe(404)
  })

  it('speaks plain http:// too (the general request, not httpsGet)', async () => {
    const port = await listen(createHttpServer(answer))
    const res = await request(`http://127.0.0.1:${port}/doc`)
    expect(res.status).toBe(200)
    expectFailure(await failure(httpsGet(`http://127.0.0.1:${port}/doc`)), 'url')
  })
})

describe('net client: each failure names its layer', () => {
  it('DNS: a name that does not resolve', async () => {
    const err = await failure(httpsGet('https://no-such-hub.invalid/doc', { caPem }))
    expectFailure(err, 'dns')
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(err.code)
    expect(err.message).toContain('no-such-hub.invalid')
  })

  it('TCP: a closed port', async () => {
    const probe = createTcpServer()
    const port = await listen(probe)
    await new Promise((resolve) => probe.close(resolve))
    const err = await failure(httpsGet(`https://127.0.0.1:${port}/doc`, { caPem }))
    expectFailure(err, 'tcp', { code: 'ECONNREFUSED' })
    expect(err.message).toContain('refused')
  })

  it('TCP: a server that drops the connection', async () => {
    const port = await listen(createTcpServer((socket) => socket.resetAndDestroy()))
    expectFailure(await failure(request(`http://127.0.0.1:${port}/`)), 'tcp', {
      code: 'ECONNRESET',
    })
  })

  it('TLS: a certificate from a CA that is not trusted', async () => {
    const err = await failure(httpsGet(`${trusted}/doc`))
    expectFailure(err, 'tls', { tls: 'untrusted' })
    // The clock-skew check reports this message to the user.
    expect(err.message).toMatch(/certificate/i)
  })

  it('TLS: a trusted certificate for another host name', async () => {
    const err = await failure(httpsGet(`${wrongName}/doc`, { caPem }))
    expectFailure(err, 'tls', { tls: 'hostname', code: 'ERR_TLS_CERT_ALTNAME_INVALID' })
  })

  it('TLS: an expired certificate', async () => {
    const err = await failure(httpsGet(`${expired}/doc`, { caPem }))
    expectFailure(err, 'tls', { tls: 'expired', code: 'CERT_HAS_EXPIRED' })
  })

  it('timeout: a server that accepts and never answers (TCP and TLS alike)', async () => {
    const port = await listen(createTcpServer(() => {}))
    for (const scheme of ['http', 'https']) {
      const started = Date.now()
      const err = await failure(request(`${scheme}://127.0.0.1:${port}/`, { timeoutMs: 200 }))
      expectFailure(err, 'timeout')
      expect(err.message).toContain('did not answer in time')
      expect(Date.now() - started).toBeLessThan(5000)
    }
  })

  it('HTTP: a status other than 200 where JSON was wanted', async () => {
    const err = await failure(httpsGetJson(`${trusted}/missing`, { caPem }))
    expectFailure(err, 'http', { status: 404 })
    expect(err.message).toContain('answered HTTP 404')
  })

  it('body: an answer too large, or not JSON', async () => {
    expectFailure(await failure(httpsGet(`${trusted}/large`, { caPem, maxBytes: 1024 })), 'body')
    expectFailure(await failure(httpsGetJson(`${trusted}/not-json`, { caPem })), 'body')
  })

  it('url: not a URL, or not http(s)', async () => {
    expectFailure(await failure(request('hub')), 'url')
    expectFailure(await failure(request('ftp://127.0.0.1/')), 'url')
  })
})

describe('clock skew', () => {
  it("reads another server's Date header against our clock, trusting the chosen CA", async () => {
    const ahead = 30_000
    const port = await listen(
      createHttpsServer({ key: trustedLeaf.keyPem, cert: trustedLeaf.certPem }, (_req, res) => {
        res.setHeader('date', new Date(Date.now() + ahead).toUTCString())
        res.end()
      }),
    )
    const skew = await measureClockSkew(`https://127.0.0.1:${port}/`, caPem)
    expect(Math.abs(skew.skewSeconds - ahead / 1000)).toBeLessThanOrEqual(
      1 + skew.roundTripMs / 2000,
    )
  })
})
