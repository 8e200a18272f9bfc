import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AppEvent } from '../../shared/contract/index.js'
import { SECURITY_HEADERS, loadStaticAsset } from '../electron-shell-policy.js'
import type { Logger } from '../platform/logger.js'
import type { AppEvents } from './app-events.js'
import type { Dispatch } from './dispatcher.js'

/**
 * The headless console: the console UI (a vite build) and the contract over loopback HTTP, for a
 * browser on this machine.
 *
 * Who can reach it: any local process, and any web page the user has open (DNS rebinding, CSRF).
 * So: it listens on 127.0.0.1 only; every request must name exactly 127.0.0.1:PORT as its Host
 * (a rebound name never does); any Origin other than the console's own, or a cross-site fetch
 * (Sec-Fetch-Site), is refused before anything else; and the API needs a per-run session token,
 * sent as `Authorization: Bearer`, which a cross-origin page cannot set without a CORS preflight
 * this server never grants. The token reaches the browser in the URL fragment
 * (`#session=…`), which browsers send neither to the server nor in a Referer.
 */

const MAX_BODY_BYTES = 1024 * 1024
const DEFAULT_PING_MS = 15_000
const RPC_PREFIX = '/api/rpc/'
const EVENTS_PATH = '/api/events'
/** Sec-Fetch-Site values a request from the console itself, or the user typing the URL, sends. */
const ACCEPTED_FETCH_SITES = new Set(['same-origin', 'none'])

export interface ConsoleBridgeOptions {
  dispatch: Dispatch
  events: AppEvents
  /** The renderer build (dist/renderer). */
  staticDir: string
  log: Logger
  /** 0 (default) picks a free port. */
  port?: number | undefined
  /** Interval of the `: ping` comment on event streams (tests shorten it). */
  pingIntervalMs?: number | undefined
}

export interface ConsoleBridge {
  /** The URL to open, with the session token in its fragment: print it, never log it. */
  consoleUrl: string
  origin: string
  port: number
  close(): Promise<void>
}

type Refusal = { status: number; reason: string; headers?: Record<string, string> }

export async function startConsoleBridge(opts: ConsoleBridgeOptions): Promise<ConsoleBridge> {
  const { dispatch, events, staticDir, log } = opts
  const pingMs = opts.pingIntervalMs ?? DEFAULT_PING_MS
  const token = randomBytes(32).toString('base64url')
  const expectedAuth = sha256(`Bearer ${token}`)
  const streams = new Set<ServerResponse>()
  let expectedHost = ''
  let origin = ''

  const refuse = (req: IncomingMessage, res: ServerResponse, refusal: Refusal): void => {
    // The path without its query: a token pasted into a query string never reaches the log.
    log.debug('console bridge refused a request', {
      status: refusal.status,
      reason: refusal.reason,
      method: req.method,
      path: pathOf(req.url).slice(0, 200),
    })
    const body = `${refusal.reason}\n`
    res.writeHead(refusal.status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
      ...refusal.headers,
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  }

  /** Host, Origin and Sec-Fetch-Site: checked for every request, static files included. */
  const checkOrigin = (req: IncomingMessage): Refusal | null => {
    if (req.headers.host !== expectedHost) return { status: 403, reason: 'forbidden host' }
    const requestOrigin = req.headers.origin
    if (requestOrigin !== undefined && requestOrigin !== origin) {
      return { status: 403, reason: 'forbidden origin' }
    }
    const site = req.headers['sec-fetch-site']
    if (site !== undefined && !ACCEPTED_FETCH_SITES.has(site)) {
      return { status: 403, reason: 'cross-site request' }
    }
    return null
  }

  const authorized = (req: IncomingMessage): boolean => {
    const header = req.headers.authorization
    if (header === undefined) return false
    // Both sides hashed: equal-length buffers for timingSafeEqual, and no length leak.
    return timingSafeEqual(sha256(header), expectedAuth)
  }

  const handleRpc = async (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
  ): Promise<void> => {
    if (req.method !== 'POST') return refuse(req, res, methodNotAllowed('POST'))
    if (!authorized(req)) {
      return refuse(req, res, {
        status: 401,
        reason: 'unauthorized',
        headers: { 'WWW-Authenticate': 'Bearer' },
      })
    }
    const mediaType = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase()
    if (mediaType !== 'application/json') {
      return refuse(req, res, { status: 415, reason: 'content type must be application/json' })
    }
    const body = await readBody(req, MAX_BODY_BYTES)
    if (body === 'too_large') {
      // Whatever the client still sends is not read: the connection ends with this answer.
      return refuse(req, res, {
        status: 413,
        reason: 'request body too large',
        headers: { Connection: 'close' },
      })
    }
    if (body === 'aborted') return
    let input: unknown
    try {
      input = JSON.parse(body.toString('utf8'))
    } catch {
      return refuse(req, res, { status: 400, reason: 'malformed JSON' })
    }
    // The method name is handed on as sent; the dispatcher refuses anything not in the contract.
    const envelope = await dispatch(path.slice(RPC_PREFIX.length), input)
    const json = JSON.stringify(envelope)
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(json),
      'Cache-Control': 'no-store',
    })
    res.end(json)
  }

  const handleEvents = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET') return refuse(req, res, methodNotAllowed('GET'))
    if (!authorized(req)) {
      return refuse(req, res, {
        status: 401,
        reason: 'unauthorized',
        headers: { 'WWW-Authenticate': 'Bearer' },
      })
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    })
    const send = (event: AppEvent): void => {
      res.write(`data: ${JSON.stringify(event)}\n\n`)
    }
    const unsubscribe = events.subscribe(send)
    const ping = setInterval(() => res.write(': ping\n\n'), pingMs)
    ping.unref()
    streams.add(res)
    let ended = false
    const end = (): void => {
      if (ended) return
      ended = true
      clearInterval(ping)
      unsubscribe()
      streams.delete(res)
    }
    req.on('close', end)
    res.on('close', end)
    res.on('error', end)
    // Sends the headers now: the client knows it is subscribed before the first event.
    res.write(': connected\n\n')
  }

  const handleStatic = async (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
  ): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return refuse(req, res, methodNotAllowed('GET, HEAD'))
    }
    const asset = await loadStaticAsset(staticDir, path)
    if (!asset) return refuse(req, res, { status: 404, reason: 'not found' })
    res.writeHead(200, {
      'Content-Type': asset.contentType,
      'Content-Length': asset.body.length,
      'Cache-Control': asset.cacheControl,
    })
    res.end(req.method === 'HEAD' ? undefined : asset.body)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value)
    const refusal = checkOrigin(req)
    if (refusal) return refuse(req, res, refusal)
    const rawUrl = req.url ?? ''
    // Origin-form only ("/path"): absolute-form and "*" targets have no business here.
    if (!rawUrl.startsWith('/')) return refuse(req, res, { status: 404, reason: 'not found' })
    const path = pathOf(rawUrl)
    if (path.startsWith(RPC_PREFIX)) return handleRpc(req, res, path)
    if (path === EVENTS_PATH) return handleEvents(req, res)
    if (path === '/api' || path.startsWith('/api/')) {
      return refuse(req, res, { status: 404, reason: 'not found' })
    }
    return handleStatic(req, res, path)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error('console bridge request failed', { error: err })
      if (!res.headersSent) refuse(req, res, { status: 500, reason: 'internal error' })
      else res.destroy()
    })
  })
  server.headersTimeout = 10_000
  // Covers receiving the request only; event streams are long-lived responses, not requests.
  server.requestTimeout = 30_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  expectedHost = `127.0.0.1:${port}`
  origin = `http://${expectedHost}`
  log.info('console bridge listening', { origin })

  return {
    consoleUrl: `${origin}/#session=${token}`,
    origin,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const stream of streams) stream.end()
        server.close(() => resolve())
        server.closeIdleConnections()
        setTimeout(() => server.closeAllConnections(), 2000).unref()
      }),
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}

function pathOf(rawUrl: string | undefined): string {
  return (rawUrl ?? '').split(/[?#]/, 1)[0]!
}

function methodNotAllowed(allow: string): Refusal {
  return { status: 405, reason: 'method not allowed', headers: { Allow: allow } }
}

/** Reads a body up to `limit` bytes; stops reading (and says so) as soon as it is larger. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large' | 'aborted'> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve('too_large')
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const settle = (value: Buffer | 'too_large' | 'aborted'): void => {
      if (settled) return
      settled = true
      req.off('data', onData)
      req.pause()
      resolve(value)
    }
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > limit) settle('too_large')
      else chunks.push(chunk)
    }
    req.on('data', onData)
    req.on('end', () => settle(Buffer.concat(chunks)))
    req.on('error', () => settle('aborted'))
    req.on('close', () => settle('aborted'))
  })
}
