// @vitest-environment node
import { connect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { readBody } from '../../electron/issuer/http-body.js'
import {
  DEFAULT_LIMITS,
  startServer,
  type ConnectionLimits,
  type ListeningServer,
} from '../../electron/issuer/issuer-server.js'
import { ensureTls } from '../../electron/tls/local-ca.js'

/**
 * Issue 16 item 4: connections cannot be held open. Raw sockets on 127.0.0.x against the
 * issuer's server with small limits: a TCP connection that never sends a ClientHello, a request
 * body that trickles in, and more connections than the caps allow are all closed.
 */

let tls: { key: string; cert: string; ca: string }
const servers: ListeningServer[] = []
const sockets: Socket[] = []

beforeAll(async () => {
  const sealer = {
    seal: (plaintext: Buffer): string => plaintext.toString('base64'),
    open: (sealed: string): Buffer => Buffer.from(sealed, 'base64'),
  }
  const { material } = await ensureTls({
    stored: undefined,
    hosts: ['127.0.0.1'],
    now: new Date(),
    sealer,
  })
  tls = { key: material.keyPem, cert: material.certPem, ca: material.caCertPem }
})

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy()
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
})

async function serve(limits: Partial<ConnectionLimits>, https = false): Promise<number> {
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    tls: https ? { key: tls.key, cert: tls.cert } : undefined,
    limits,
    handler: (req, res) => {
      readBody(req, 1 << 20).then(
        (body) => res.end(`got ${body.length}`),
        () => res.end('failed'),
      )
    },
  })
  servers.push(server)
  return server.port
}

/** A raw TCP connection from `localAddress`; resolves once connected. */
function open(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress }, () => resolve(socket))
    socket.on('error', () => undefined)
    socket.once('error', reject)
    sockets.push(socket)
  })
}

/** Milliseconds until the socket closes, or Infinity if it is still open after `withinMs`. */
function closedWithin(socket: Socket, withinMs: number): Promise<number> {
  const start = Date.now()
  return new Promise((resolve) => {
    if (socket.destroyed || socket.readableEnded) return resolve(0)
    const timer = setTimeout(() => resolve(Infinity), withinMs)
    socket.once('close', () => {
      clearTimeout(timer)
      resolve(Date.now() - start)
    })
    // The server may answer (408) before closing: read it so 'close' can come.
    socket.resume()
  })
}

const SLOW_REQUEST =
  'POST /m2m-oauth-server/oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
  'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n'

/** Sends one body byte every `everyMs` until the socket closes. */
function trickle(socket: { write(b: string): boolean; destroyed: boolean }, everyMs: number) {
  const timer = setInterval(() => {
    if (socket.destroyed) clearInterval(timer)
    else socket.write('a')
  }, everyMs)
  return () => clearInterval(timer)
}

describe('issuer connections', () => {
  it('documents the defaults it runs with', () => {
    expect(DEFAULT_LIMITS).toMatchObject({
      handshakeTimeoutMs: 10_000,
      requestTimeoutMs: 15_000,
      checkIntervalMs: 1_000,
    })
    expect(DEFAULT_LIMITS.headersTimeoutMs).toBeLessThanOrEqual(DEFAULT_LIMITS.requestTimeoutMs)
    expect(DEFAULT_LIMITS.maxConnectionsPerAddress).toBeLessThan(DEFAULT_LIMITS.maxConnections)
  })

  it('closes a TCP connection that never sends a TLS ClientHello', async () => {
    const port = await serve({ handshakeTimeoutMs: 300 }, true)
    const silent = await open(port)
    expect(await closedWithin(silent, 3000)).toBeLessThan(3000)
  })

  it('closes a plain HTTP connection that never sends its headers', async () => {
    const port = await serve({ headersTimeoutMs: 300, requestTimeoutMs: 400, checkIntervalMs: 50 })
    const silent = await open(port)
    expect(await closedWithin(silent, 3000)).toBeLessThan(3000)
  })

  it('closes a request whose body trickles in past the request timeout (HTTP)', async () => {
    const port = await serve({ headersTimeoutMs: 200, requestTimeoutMs: 400, checkIntervalMs: 50 })
    const socket = await open(port)
    socket.write(SLOW_REQUEST)
    const stop = trickle(socket, 50)
    try {
      // 1000 bytes at 20/s would take 50 s; the request timeout ends it well before.
      expect(await closedWithin(socket, 3000)).toBeLessThan(3000)
    } finally {
      stop()
    }
  })

  it('closes a request whose body trickles in past the request timeout (HTTPS)', async () => {
    const port = await serve(
      { headersTimeoutMs: 200, requestTimeoutMs: 400, checkIntervalMs: 50 },
      true,
    )
    const socket = tlsConnect({ port, host: '127.0.0.1', ca: tls.ca })
    socket.on('error', () => undefined)
    sockets.push(socket)
    await new Promise<void>((resolve) => socket.once('secureConnect', () => resolve()))
    socket.write(SLOW_REQUEST)
    const stop = trickle(socket, 50)
    try {
      expect(await closedWithin(socket, 3000)).toBeLessThan(3000)
    } finally {
      stop()
    }
  })

  it('closes connections beyond the per-address cap, not those of other addresses', async () => {
    const port = await serve({ maxConnectionsPerAddress: 2, maxConnections: 50 })
    const kept = [await open(port), await open(port)]
    const third = await open(port)
    const other = await open(port, '127.0.0.2')
    expect(await closedWithin(third, 2000)).toBeLessThan(2000)
    // The others still hold their connections: a request on each is answered.
    for (const s of [...kept, other]) {
      expect(await ask(s)).toMatch(/^HTTP\/1\.1 200/)
    }
  })

  it('closes connections beyond the total cap', async () => {
    const port = await serve({ maxConnectionsPerAddress: 10, maxConnections: 3 })
    const kept = [
      await open(port, '127.0.0.1'),
      await open(port, '127.0.0.2'),
      await open(port, '127.0.0.3'),
    ]
    // The accept comes after the connect callback: give the server a moment to count them.
    await new Promise((resolve) => setTimeout(resolve, 50))
    const fourth = await open(port, '127.0.0.4')
    expect(await closedWithin(fourth, 2000)).toBeLessThan(2000)
    expect(await ask(kept[0]!)).toMatch(/^HTTP\/1\.1 200/)
  })
})

/** One small request on an open socket; resolves with the start of the answer. */
function ask(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer within 2 s')), 2000)
    socket.once('data', (chunk: Buffer) => {
      clearTimeout(timer)
      resolve(chunk.toString('latin1'))
    })
    socket.write('POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\nhi')
  })
}
