// @vitest-environment node
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppEvent, Envelope } from '../../shared/contract/index.js'
import { AppEvents } from '../../electron/api/app-events.js'
import { createDispatcher, type Dispatch } from '../../electron/api/dispatcher.js'
import { startConsoleBridge, type ConsoleBridge } from '../../electron/api/http-bridge.js'
import { CONTENT_SECURITY_POLICY } from '../../electron/api/console-assets.js'
import { openTestApp, recordingLogger, type TestApp } from '../helpers/fakes.js'

/**
 * The headless console bridge, attacked the way a web page, a rebound DNS name or another local
 * process would try. Requests go out through node:http so Host, Origin and Sec-Fetch-* can be
 * set to anything (fetch would not allow it).
 */

/** Counts live subscriptions, so a test can see the bridge let go of its listener. */
class CountingEvents extends AppEvents {
  live = 0
  override subscribe(listener: (event: AppEvent) => void): () => void {
    const off = super.subscribe(listener)
    this.live++
    let done = false
    return () => {
      if (done) return
      done = true
      this.live--
      off()
    }
  }
}

interface Reply {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

interface Call {
  method?: string
  path: string
  headers?: OutgoingHttpHeaders
  body?: string | Buffer
}

let root: string
let staticDir: string
let events: CountingEvents
let log: ReturnType<typeof recordingLogger>
let calls: [string, unknown][]
let bridge: ConsoleBridge
let token: string
let host: string

const fakeDispatch: Dispatch = async (method, input) => {
  calls.push([method, input])
  return { ok: true, value: { echo: input, method } }
}

/** Sends one request; a Host header of '' is left out altogether (HTTP/1.0 style). */
function send(call: Call): Promise<Reply> {
  const headers: OutgoingHttpHeaders = { host, ...call.headers }
  const omitHost = headers.host === ''
  if (omitHost) delete headers.host
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: bridge.port,
        method: call.method ?? 'GET',
        path: call.path,
        headers,
        setHost: !omitHost,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(call.body)
  })
}

const auth = (): OutgoingHttpHeaders => ({ authorization: `Bearer ${token}` })
const json = { 'content-type': 'application/json' }

function rpc(method: string, input: unknown, headers: OutgoingHttpHeaders = {}): Promise<Reply> {
  return send({
    method: 'POST',
    path: `/api/rpc/${method}`,
    headers: { ...auth(), ...json, origin: bridge.origin, ...headers },
    body: JSON.stringify(input),
  })
}

function expectSecurityHeaders(reply: Reply): void {
  expect(reply.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
  expect(reply.headers['x-content-type-options']).toBe('nosniff')
  expect(reply.headers['referrer-policy']).toBe('no-referrer')
  expect(reply.headers['x-frame-options']).toBe('DENY')
  expect(reply.headers['cross-origin-opener-policy']).toBe('same-origin')
  expect(reply.headers['cross-origin-resource-policy']).toBe('same-origin')
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'plgd-bridge-'))
  staticDir = join(root, 'renderer')
  mkdirSync(join(staticDir, 'assets'), { recursive: true })
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>plgd console</title>')
  writeFileSync(join(staticDir, 'assets', 'index-abc.js'), 'export const ok = 1')
  writeFileSync(join(staticDir, '.env'), 'DOTFILE_SECRET=1')
  writeFileSync(join(root, 'secret.txt'), 'OUTSIDE_SECRET')
  events = new CountingEvents()
  log = recordingLogger()
  calls = []
  bridge = await startConsoleBridge({
    dispatch: fakeDispatch,
    events,
    staticDir,
    log,
    pingIntervalMs: 100,
  })
  token = new URL(bridge.consoleUrl).hash.replace('#session=', '')
  host = `127.0.0.1:${bridge.port}`
})

afterAll(async () => {
  await bridge?.close()
  rmSync(root, { recursive: true, force: true })
})

describe('the console URL', () => {
  it('is loopback, with a 256-bit session token in the fragment', () => {
    expect(bridge.origin).toBe(`http://127.0.0.1:${bridge.port}`)
    expect(bridge.consoleUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#session=[A-Za-z0-9_-]{43}$/)
    expect(Buffer.from(token, 'base64url')).toHaveLength(32)
  })

  it('differs on every run', async () => {
    const other = await startConsoleBridge({
      dispatch: fakeDispatch,
      events,
      staticDir,
      log: recordingLogger(),
    })
    try {
      expect(other.port).not.toBe(bridge.port)
      expect(other.consoleUrl.split('#')[1]).not.toBe(bridge.consoleUrl.split('#')[1])
    } finally {
      await other.close()
    }
  })

  it('never reaches the log', () => {
    expect(log.entries.length).toBeGreaterThan(0)
    expect(JSON.stringify(log.entries)).not.toContain(token)
  })
})

describe('rpc', () => {
  it('dispatches with the right token and answers the envelope, uncached', async () => {
    calls = []
    const reply = await rpc('clients.get', { id: 'console-dps' })
    expect(reply.status).toBe(200)
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(reply.headers['cache-control']).toBe('no-store')
    expectSecurityHeaders(reply)
    expect(JSON.parse(reply.body)).toEqual({
      ok: true,
      value: { echo: { id: 'console-dps' }, method: 'clients.get' },
    })
    expect(calls).toEqual([['clients.get', { id: 'console-dps' }]])
  })

  it('works without Origin (curl) and with a charset on the content type', async () => {
    const reply = await send({
      method: 'POST',
      path: '/api/rpc/status.get',
      headers: { ...auth(), 'content-type': 'application/json; charset=utf-8' },
      body: '{}',
    })
    expect(reply.status).toBe(200)
  })

  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: 'Bearer wrong' }],
    ['the token without Bearer', 'raw'],
    ['Basic instead of Bearer', 'basic'],
    ['a token one character short', 'short'],
  ])('refuses %s (401)', async (_name, variant) => {
    calls = []
    const headers: OutgoingHttpHeaders =
      variant === 'raw'
        ? { authorization: token }
        : variant === 'basic'
          ? { authorization: `Basic ${Buffer.from(`x:${token}`).toString('base64')}` }
          : variant === 'short'
            ? { authorization: `Bearer ${token.slice(0, -1)}` }
            : (variant as OutgoingHttpHeaders)
    const reply = await send({
      method: 'POST',
      path: '/api/rpc/clients.list',
      headers: { ...json, ...headers },
      body: '{}',
    })
    expect(reply.status).toBe(401)
    expect(reply.headers['www-authenticate']).toBe('Bearer')
    expectSecurityHeaders(reply)
    expect(calls).toEqual([])
  })

  it.each([
    `/api/rpc/clients.list?session=TOKEN`,
    `/api/rpc/clients.list?access_token=TOKEN`,
    `/api/rpc/clients.list#session=TOKEN`,
  ])('refuses the token in the URL instead of the header: %s (401)', async (path) => {
    calls = []
    const reply = await send({
      method: 'POST',
      path: path.replace('TOKEN', token),
      headers: json,
      body: '{}',
    })
    expect(reply.status).toBe(401)
    expect(calls).toEqual([])
    expect(JSON.stringify(log.entries)).not.toContain(token)
  })

  it.each([
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['json look-alike', 'application/jsonp'],
    ['none', undefined],
  ])('refuses a %s body (415)', async (_name, type) => {
    calls = []
    const reply = await send({
      method: 'POST',
      path: '/api/rpc/clients.list',
      headers: { ...auth(), ...(type ? { 'content-type': type } : {}) },
      body: '{}',
    })
    expect(reply.status).toBe(415)
    expect(calls).toEqual([])
  })

  it('refuses a body over 1 MiB announced by Content-Length (413)', async () => {
    calls = []
    const body = Buffer.alloc(1024 * 1024 + 1, 0x20)
    const reply = await send({
      method: 'POST',
      path: '/api/rpc/clients.list',
      headers: { ...auth(), ...json },
      body,
    }).catch((err: NodeJS.ErrnoException) => ({ status: -1, error: err.code }))
    expect(reply.status).toBe(413)
    expect(calls).toEqual([])
  })

  it('refuses a chunked body that grows over 1 MiB (413)', async () => {
    calls = []
    const reply = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: bridge.port,
          method: 'POST',
          path: '/api/rpc/clients.list',
          headers: { host, ...auth(), ...json, 'transfer-encoding': 'chunked' },
          agent: false,
        },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        },
      )
      req.on('error', reject)
      const chunk = Buffer.alloc(64 * 1024, 0x20)
      let sent = 0
      const pump = (): void => {
        while (sent < 2 * 1024 * 1024) {
          sent += chunk.length
          if (!req.write(chunk)) return void req.once('drain', pump)
        }
        req.end()
      }
      pump()
    })
    expect(reply).toBe(413)
    expect(calls).toEqual([])
  })

  it.each(['{', '', 'undefined', "{'a':1}"])('refuses malformed JSON %j (400)', async (body) => {
    calls = []
    const reply = await send({
      method: 'POST',
      path: '/api/rpc/clients.list',
      headers: { ...auth(), ...json },
      body,
    })
    expect(reply.status).toBe(400)
    expect(calls).toEqual([])
  })

  it.each(['GET', 'PUT', 'DELETE', 'OPTIONS'])('answers %s on rpc with 405', async (method) => {
    const reply = await send({ method, path: '/api/rpc/clients.list', headers: auth() })
    expect(reply.status).toBe(405)
    expect(reply.headers.allow).toBe('POST')
  })

  it('has nothing else under /api', async () => {
    for (const path of ['/api', '/api/', '/api/rpc', '/api/evil', '/api/events/x']) {
      const reply = await send({
        method: 'POST',
        path,
        headers: { ...auth(), ...json },
        body: '{}',
      })
      expect(reply.status, path).toBe(404)
    }
  })
})

describe('rpc through the real dispatcher', () => {
  let t: TestApp
  let real: ConsoleBridge

  beforeAll(async () => {
    t = await openTestApp()
    real = await startConsoleBridge({
      dispatch: createDispatcher(t.app, 'console'),
      events: t.app.events,
      staticDir,
      log: recordingLogger(),
    })
  })

  afterAll(async () => {
    await real?.close()
    t?.close()
  })

  async function realRpc(method: string, input: unknown): Promise<Envelope<unknown>> {
    const realToken = new URL(real.consoleUrl).hash.replace('#session=', '')
    const reply = await new Promise<Reply>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: real.port,
          method: 'POST',
          path: `/api/rpc/${method}`,
          headers: {
            host: `127.0.0.1:${real.port}`,
            authorization: `Bearer ${realToken}`,
            ...json,
          },
          agent: false,
        },
        (res) => {
          let body = ''
          res.setEncoding('utf8')
          res.on('data', (c: string) => (body += c))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
        },
      )
      req.on('error', reject)
      req.end(JSON.stringify(input))
    })
    expect(reply.status).toBe(200)
    return JSON.parse(reply.body) as Envelope<unknown>
  }

  it.each(['nope', 'clients.nope', '__proto__', 'constructor', 'clients.list%00', '..%2f..'])(
    'answers the unknown method %s with an invalid_input envelope',
    async (method) => {
      const reply = await realRpc(method, {})
      expect(reply.ok).toBe(false)
      expect(!reply.ok && reply.error.code).toBe('invalid_input')
    },
  )

  it('answers a known method', async () => {
    const reply = await realRpc('clients.list', {})
    expect(reply).toEqual({ ok: true, value: [] })
  })
})

describe('Host, Origin and Sec-Fetch-Site', () => {
  const paths: Call[] = [
    { method: 'GET', path: '/' },
    { method: 'GET', path: '/assets/index-abc.js' },
    { method: 'POST', path: '/api/rpc/clients.list', body: '{}' },
    { method: 'GET', path: '/api/events' },
  ]

  const withHeaders = (headers: OutgoingHttpHeaders): Call[] =>
    paths.map((p) => ({ ...p, headers: { ...auth(), ...json, ...headers } }))

  it.each([
    'evil.example:PORT',
    'localhost:PORT',
    '127.0.0.1',
    '127.0.0.1:1',
    '127.0.0.2:PORT',
    '[::1]:PORT',
    '127.0.0.1:PORT.evil.example',
    '0x7f.0.0.1:PORT',
  ])('refuses Host %j on every path (403)', async (hostHeader) => {
    calls = []
    for (const call of withHeaders({ host: hostHeader.replace('PORT', String(bridge.port)) })) {
      const reply = await send(call)
      expect(reply.status, call.path).toBe(403)
      expectSecurityHeaders(reply)
    }
    expect(calls).toEqual([])
    expect(events.live).toBe(0)
  })

  it('refuses a request without Host on every path (400 from Node itself)', async () => {
    calls = []
    for (const call of withHeaders({ host: '' })) {
      const reply = await send(call)
      expect(reply.status, call.path).toBe(400)
    }
    expect(calls).toEqual([])
    expect(events.live).toBe(0)
  })

  it.each([
    'https://evil.example',
    'http://localhost:PORT',
    'http://127.0.0.1:1',
    'http://127.0.0.1:PORT.evil.example',
    'https://127.0.0.1:PORT',
    'null',
    'app://console',
  ])('refuses Origin %j on every path (403)', async (origin) => {
    calls = []
    for (const call of withHeaders({ origin: origin.replace('PORT', String(bridge.port)) })) {
      const reply = await send(call)
      expect(reply.status, call.path).toBe(403)
    }
    expect(calls).toEqual([])
  })

  it.each(['cross-site', 'same-site'])(
    'refuses Sec-Fetch-Site %s on every path (403)',
    async (site) => {
      calls = []
      for (const call of withHeaders({ 'sec-fetch-site': site })) {
        const reply = await send(call)
        expect(reply.status, call.path).toBe(403)
      }
      expect(calls).toEqual([])
    },
  )

  it('accepts the console itself and the user typing the URL', async () => {
    const sameOrigin = await rpc('clients.list', {}, { 'sec-fetch-site': 'same-origin' })
    expect(sameOrigin.status).toBe(200)
    const typed = await send({ path: '/', headers: { 'sec-fetch-site': 'none' } })
    expect(typed.status).toBe(200)
  })
})

describe('static files', () => {
  it('serves index.html at / with the security headers', async () => {
    const reply = await send({ path: '/' })
    expect(reply.status).toBe(200)
    expect(reply.body).toContain('<title>plgd console</title>')
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8')
    expectSecurityHeaders(reply)
  })

  it('serves assets and app routes; HEAD sends no body', async () => {
    expect((await send({ path: '/assets/index-abc.js' })).body).toBe('export const ok = 1')
    expect((await send({ path: '/clients/console-dps' })).body).toContain('plgd console')
    const head = await send({ method: 'HEAD', path: '/' })
    expect(head.status).toBe(200)
    expect(head.body).toBe('')
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0)
  })

  it.each([
    '/../secret.txt',
    '/../../../../etc/passwd',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/%2E%2E/etc/passwd',
    '/..%2fsecret.txt',
    '/assets%2f..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '//etc/passwd',
    '/%2fetc%2fpasswd',
    '/C:/Windows/win.ini',
    '/index.html%00.js',
    '/.env',
    '/%2eenv',
    '/assets/missing.js',
    '/%E0%A4%A',
  ])('does not serve %s (404)', async (path) => {
    const reply = await send({ path })
    expect(reply.status).toBe(404)
    expect(reply.body).not.toContain('OUTSIDE_SECRET')
    expect(reply.body).not.toContain('DOTFILE_SECRET')
    expect(reply.body).not.toContain('root:')
    expectSecurityHeaders(reply)
  })

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('answers %s with 405', async (method) => {
    const reply = await send({ method, path: '/', headers: json, body: '{}' })
    expect(reply.status).toBe(405)
    expect(reply.headers.allow).toBe('GET, HEAD')
    expectSecurityHeaders(reply)
  })
})

describe('events', () => {
  /** Opens the event stream; resolves once the bridge has sent its first comment. */
  function openStream(headers: OutgoingHttpHeaders = auth()): Promise<{
    status: number
    headers: IncomingHttpHeaders
    text: () => string
    abort: () => void
  }> {
    return new Promise((resolve, reject) => {
      let text = ''
      const req = request(
        {
          host: '127.0.0.1',
          port: bridge.port,
          method: 'GET',
          path: '/api/events',
          headers: { host, ...headers },
          agent: false,
        },
        (res) => {
          res.setEncoding('utf8')
          const result = {
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: () => text,
            abort: () => req.destroy(),
          }
          if (result.status !== 200) {
            res.resume()
            return resolve(result)
          }
          res.on('data', (chunk: string) => {
            const first = text === ''
            text += chunk
            if (first) resolve(result)
          })
          res.on('error', () => {})
        },
      )
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ECONNRESET') reject(err)
      })
      req.end()
    })
  }

  async function until(check: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5000
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  it('streams every AppEvent, pings, and unsubscribes when the client goes away', async () => {
    expect(events.live).toBe(0)
    const stream = await openStream()
    expect(stream.status).toBe(200)
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    expect(stream.headers['cache-control']).toBe('no-store')
    expect(events.live).toBe(1)

    const issued: AppEvent = {
      type: 'token.issued',
      data: { jti: 'j1', clientId: 'console-dps', expiresAt: 1 },
    }
    const revoked: AppEvent = { type: 'token.revoked', data: { ids: ['j1'] } }
    events.emit(issued)
    events.emit(revoked)
    await until(() => stream.text().includes('token.revoked'), 'the events')
    const data = stream
      .text()
      .split('\n\n')
      .filter((frame) => frame.startsWith('data: '))
      .map((frame) => JSON.parse(frame.slice('data: '.length)) as AppEvent)
    expect(data).toEqual([issued, revoked])

    await until(() => stream.text().includes(': ping\n\n'), 'a ping')

    stream.abort()
    await until(() => events.live === 0, 'the unsubscribe')
  })

  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: 'Bearer nope' }],
  ])('refuses a stream with %s (401)', async (_name, headers) => {
    const stream = await openStream(headers)
    expect(stream.status).toBe(401)
    expect(events.live).toBe(0)
  })

  it('refuses the token in a query string (401): EventSource cannot send headers, by design', async () => {
    const reply = await send({ path: `/api/events?session=${token}` })
    expect(reply.status).toBe(401)
    expect(events.live).toBe(0)
  })

  it('ends open streams on close', async () => {
    const other = await startConsoleBridge({
      dispatch: fakeDispatch,
      events,
      staticDir,
      log: recordingLogger(),
    })
    const otherToken = new URL(other.consoleUrl).hash.replace('#session=', '')
    const ended = new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: other.port,
          path: '/api/events',
          headers: { host: `127.0.0.1:${other.port}`, authorization: `Bearer ${otherToken}` },
          agent: false,
        },
        (res) => {
          res.resume()
          res.once('data', () => void other.close())
          res.on('end', () => resolve())
          res.on('error', () => resolve())
        },
      )
      req.on('error', reject)
      req.end()
    })
    await ended
    await until(() => events.live === 0, 'the unsubscribe')
  })
})
