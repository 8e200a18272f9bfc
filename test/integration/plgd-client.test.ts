// @vitest-environment node
import 'reflect-metadata'
import { webcrypto } from 'node:crypto'
import { getEventListeners, once } from 'node:events'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { ServerResponse } from 'node:http'
import * as x509 from '@peculiar/x509'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestStream } from '../../electron/net/http-client.js'
import { createLogger } from '../../electron/platform/logger.js'
import { createPlgdClient, type PlgdClientOptions } from '../../electron/plgd/plgd-http-client.js'
import { PlgdError } from '../../electron/plgd/plgd-error.js'

/**
 * The plgd client against a real HTTPS server on 127.0.0.1 with a CA of this file's own: lists
 * streamed byte by byte, errors in the middle of a list, plgd error bodies, timeouts, retries
 * (GET yes, POST never), an untrusted CA, and a 10,000-item list read while it is being written.
 */

x509.cryptoProvider.set(webcrypto as unknown as Crypto)
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const
const DAY = 24 * 3600 * 1000
const BEARER = 'eyJ0eXAiOiJKV1QifQ.integration-bearer.sig'

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key))
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64')}\n-----END PRIVATE KEY-----\n`
}

/** A CA and a server certificate for 127.0.0.1 it signed. */
async function serverTls() {
  const caKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=plgd-client test CA',
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + DAY),
    signingAlgorithm: EC,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
    ],
  })
  const leafKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=127.0.0.1',
    issuer: ca.subjectName,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + DAY),
    signingAlgorithm: EC,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }]),
    ],
  })
  return {
    caPem: ca.toString('pem'),
    certPem: leaf.toString('pem'),
    keyPem: await keyPem(leafKeys.privateKey),
  }
}

const LIST = [
  { id: 'a', name: 'braces } { in a name', href: '/light/1' },
  { id: 'b', name: 'quote " and \\ and \u00e9\u4e2d\ud83d\ude00' },
  { id: 'c', nested: { list: [1, [2, { x: '}' }]] } },
]
const LIST_BODY = LIST.map((result) => JSON.stringify({ result })).join('\n') + '\n'
const PLGD_401 = JSON.stringify({
  code: 16,
  message: 'cannot access to /api/v1/hubs: invalid token: could not get jwks',
  details: [],
})

const hits = new Map<string, number>()
const authorizations: (string | undefined)[] = []
const big = { written: 0, finished: false, waitedForDrain: false, closedEarly: false }
const BIG_COUNT = 10_000

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

async function writeBytes(res: ServerResponse, text: string): Promise<void> {
  for (const byte of Buffer.from(text)) {
    res.write(Uint8Array.of(byte))
    await tick()
  }
}

/** Writes 10,000 device-like results, waiting for the reader as the socket fills. */
async function writeBigList(res: ServerResponse): Promise<void> {
  big.written = 0
  big.finished = false
  big.closedEarly = false
  for (let i = 0; i < BIG_COUNT; i++) {
    const item = {
      result: { id: `device-${i}`, types: ['oic.wk.d'], name: `sensor ${i}`, pad: 'p'.repeat(150) },
    }
    big.written = i + 1
    if (res.destroyed) {
      big.closedEarly = true
      return
    }
    if (!res.write(`${JSON.stringify(item)}\n`)) {
      big.waitedForDrain = true
      // Both waits end together: once() left waiting would pile up listeners on the response.
      const waited = new AbortController()
      await Promise.race([
        once(res, 'drain', { signal: waited.signal }),
        once(res, 'close', { signal: waited.signal }),
      ]).finally(() => waited.abort())
    }
  }
  big.finished = true
  res.end()
}

let server: Server
let baseUrl: string
let caPem: string

beforeAll(async () => {
  const tls = await serverTls()
  caPem = tls.caPem
  server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname
    const key = `${req.method} ${req.url}`
    hits.set(key, (hits.get(key) ?? 0) + 1)
    authorizations.push(req.headers.authorization)
    const json = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(body)
    }
    req.resume()
    switch (path) {
      case '/list-bytes':
        res.writeHead(200, { 'content-type': 'application/json' })
        return void writeBytes(res, LIST_BODY).then(() => res.end())
      case '/list-empty':
        return json(200, '')
      case '/list-error':
        res.writeHead(200, { 'content-type': 'application/json' })
        res.write(`${JSON.stringify({ result: LIST[0] })}\n`)
        return void setTimeout(
          () =>
            res.end(
              `${JSON.stringify({ error: { code: 7, message: 'owner mismatch', details: [] } })}\n`,
            ),
          20,
        )
      case '/list-stall':
        res.writeHead(200, { 'content-type': 'application/json' })
        res.write(`${JSON.stringify({ result: LIST[0] })}\n`)
        return // never ends: the idle timeout between chunks must fire
      case '/list-big':
        res.writeHead(200, { 'content-type': 'application/json' })
        return void writeBigList(res)
      case '/unauthorized':
        return json(401, `${PLGD_401}\n`)
      case '/ingress':
        res.writeHead(502, { 'content-type': 'text/html' })
        return res.end(
          `<html><head><title>502 Bad Gateway</title></head><body>${'<p>nginx</p>'.repeat(500)}</body></html>`,
        )
      case '/slow':
        return // never answers
      case '/flaky':
        if (hits.get(key) === 1) return json(503, '{"code":14,"message":"no database yet"}')
        return json(200, '{"ok":true}')
      case '/always-503':
        return json(503, '{"code":14,"message":"unavailable"}')
      default:
        return json(404, '{"code":5,"message":"not found","details":[]}')
    }
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(() => {
  server.closeAllConnections()
  server.close()
})

function client(extra: Partial<PlgdClientOptions> = {}) {
  const lines: string[] = []
  const plgd = createPlgdClient({
    baseUrl,
    caPem,
    service: 'DPS',
    hubName: 'lab',
    bearer: async () => BEARER,
    log: createLogger({ json: true, level: 'debug', write: (l) => void lines.push(l) }),
    retryDelayMs: 20,
    ...extra,
  })
  return { plgd, lines }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

async function rejection(promise: Promise<unknown>): Promise<PlgdError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(PlgdError)
  return err as PlgdError
}

describe('plgd client over HTTPS', () => {
  it('reads a list delivered in 1-byte chunks, sending the bearer', async () => {
    const sizes: number[] = []
    const { plgd, lines } = client({
      // The real transport, with each chunk's size noted on its way to the parser.
      transport: async (url, options) => {
        const res = await requestStream(url, options)
        const body = res.body
        return {
          ...res,
          body: (async function* () {
            for await (const chunk of body) {
              sizes.push(chunk.length)
              yield chunk
            }
          })(),
        }
      },
    })
    authorizations.length = 0
    expect(await collect(plgd.stream('/list-bytes'))).toEqual(LIST)
    expect(sizes.filter((n) => n === 1).length).toBeGreaterThan(Buffer.byteLength(LIST_BODY) / 2)
    expect(authorizations).toEqual([`Bearer ${BEARER}`])
    expect(lines.join('')).not.toContain(BEARER)
  })

  it('reads an empty body as an empty list', async () => {
    expect(await collect(client().plgd.stream('/list-empty'))).toEqual([])
  })

  it('fails with plgd status when an error arrives mid-stream, after the results before it', async () => {
    const got: unknown[] = []
    const err = await rejection(
      (async () => {
        for await (const item of client().plgd.stream('/list-error')) got.push(item)
      })(),
    )
    expect(got).toEqual([LIST[0]])
    expect(err.status).toBe(403)
    expect(err.message).toMatch(/PermissionDenied\): owner mismatch/)
  })

  it('maps a 401 plgd body to the untrusted-issuer fix', async () => {
    const err = await rejection(client().plgd.json('GET', '/unauthorized'))
    expect(err.status).toBe(401)
    expect(err.grpcCode).toBe(16)
    expect(err.message).toContain('DPS GET /unauthorized answered HTTP 401: cannot access to')
    expect(err.fix).toBe(
      'the DPS does not trust this issuer: add it to authorization.endpoints (hubs check lab shows the snippet)',
    )
  })

  it('summarises an ingress HTML error page after retrying it', async () => {
    const err = await rejection(client().plgd.json('GET', '/ingress'))
    expect(err.message).toMatch(/HTTP 502: an HTML page "502 Bad Gateway"/)
    expect(err.message).not.toContain('<p>')
    expect(hits.get('GET /ingress')).toBe(3)
  })

  it('times out a silent server, retrying a GET twice and a POST never', async () => {
    const { plgd } = client({ timeoutMs: 200 })
    const started = Date.now()
    const err = await rejection(plgd.json('GET', '/slow'))
    expect(err.net?.failure).toBe('timeout')
    expect(err.fix).toMatch(/did not answer in time/)
    expect(hits.get('GET /slow')).toBe(3)
    expect(Date.now() - started).toBeLessThan(5_000)
    const post = await rejection(plgd.json('POST', '/slow', { body: {} }))
    expect(post.net?.failure).toBe('timeout')
    expect(hits.get('POST /slow')).toBe(1)
  })

  it('times out a list that stalls between chunks', async () => {
    const got: unknown[] = []
    const err = await rejection(
      (async () => {
        for await (const item of client({ timeoutMs: 300 }).plgd.stream('/list-stall')) {
          got.push(item)
        }
      })(),
    )
    expect(got).toEqual([LIST[0]])
    expect(err.net?.failure).toBe('timeout')
    expect(err.message).toMatch(/stopped sending in the middle of its answer/)
  })

  it('retries a GET after one 503 and answers the success', async () => {
    const { plgd, lines } = client()
    expect(await plgd.json('GET', '/flaky')).toEqual({ ok: true })
    expect(hits.get('GET /flaky')).toBe(2)
    expect(lines.some((l) => l.includes('"status":503') && l.includes('retrying'))).toBe(true)
  })

  it('never retries a POST after a 503', async () => {
    const err = await rejection(client().plgd.json('POST', '/always-503', { body: { a: 1 } }))
    expect(err.status).toBe(503)
    expect(hits.get('POST /always-503')).toBe(1)
  })

  it('refuses a server whose CA is not the hub CA given, as a TLS NetError', async () => {
    const err = await rejection(client({ caPem: undefined }).plgd.json('GET', '/flaky'))
    expect(err.net?.failure).toBe('tls')
    expect(err.net?.tls).toBe('untrusted')
    expect(err.fix).toMatch(/hubs update lab --ca FILE/)
  })

  it('stops a list when the signal aborts, with the abort reason', async () => {
    const controller = new AbortController()
    const reason = new Error('cancelled')
    const got: unknown[] = []
    const run = (async () => {
      for await (const item of client().plgd.stream('/list-stall', { signal: controller.signal })) {
        got.push(item)
        controller.abort(reason)
      }
    })()
    await expect(run).rejects.toBe(reason)
    expect(got).toHaveLength(1)
  })

  it('aborts a call still waiting for its answer, without retrying it', async () => {
    const controller = new AbortController()
    const reason = new Error('job cancelled')
    const pending = client().plgd.json('PUT', '/slow?abort', { signal: controller.signal })
    setTimeout(() => controller.abort(reason), 50)
    await expect(pending).rejects.toBe(reason)
    expect(hits.get('PUT /slow?abort')).toBe(1)
  })

  it('leaves no listener on a long-lived signal (a job makes thousands of calls with one)', async () => {
    const controller = new AbortController()
    const { plgd } = client({ timeoutMs: 200, maxRetries: 0 })
    const { signal } = controller
    await collect(plgd.stream('/list-bytes', { signal }))
    await plgd.json('GET', '/flaky', { signal })
    await plgd.json('POST', '/always-503', { signal, body: {} }).catch(() => undefined)
    await plgd.json('GET', '/slow?listeners', { signal }).catch(() => undefined)
    await client({ caPem: undefined })
      .plgd.json('GET', '/flaky', { signal })
      .catch(() => undefined)
    await expect.poll(() => getEventListeners(signal, 'abort').length).toBe(0)
  })

  it('streams 10,000 items: the first arrives before the server has finished writing', async () => {
    let firstSeenAt: number | undefined
    let finishedAtFirst: boolean | undefined
    let count = 0
    // A per-value limit far below the whole body: the list is never held at once.
    const { plgd } = client({ maxValueBytes: 4096 })
    for await (const item of plgd.stream<{ id: string }>('/list-big')) {
      if (count === 0) {
        firstSeenAt = big.written
        finishedAtFirst = big.finished
        expect(item.id).toBe('device-0')
      }
      count++
    }
    expect(count).toBe(BIG_COUNT)
    expect(finishedAtFirst).toBe(false)
    expect(firstSeenAt).toBeLessThan(BIG_COUNT)
    expect(big.waitedForDrain).toBe(true)
  })

  it('closes the connection when the reader leaves a list early', async () => {
    for await (const item of client().plgd.stream<{ id: string }>('/list-big')) {
      expect(item.id).toBe('device-0')
      break
    }
    await expect.poll(() => big.closedEarly, { timeout: 5_000 }).toBe(true)
    expect(big.finished).toBe(false)
  })
})
