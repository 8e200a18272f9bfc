import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AppEvent } from '../../shared/contract/index.js'
import { SECURITY_HEADERS, loadStaticAsset } from './console-assets.js'
import {
  bridgeSite,
  refuseForeignRequest,
  sessionTokenCheck,
  type BridgeSite,
  type Refusal,
} from './console-bridge-policy.js'
import type { Logger } from '../platform/logger.js'
import type { AppEvents } from './app-events.js'
import type { Dispatch } from './dispatcher.js'

/**
 * The headless console: the console UI (a vite build) and the contract over loopback HTTP, for a
 * browser on this machine.
 *
 * It listens on 127.0.0.1 only and refuses, before anything else, what console-bridge-policy.ts
 * says is not the console; the API needs the per-run session token, which reaches the browser in
 * the URL fragment (`#session=…`), sent neither to the server nor in a Referer.
 */

const MAX_BODY_BYTES = 1024 * 1024
const DEFAULT_PING_MS = 15_000
const RPC_PREFIX = '/api/rpc/'
const EVENTS_PATH = '/api/events'

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

export async function startConsoleBridge(opts: ConsoleBridgeOptions): Promise<ConsoleBridge> {
  const { dispatch, events, staticDir, log } = opts
  const pingMs = opts.pingIntervalMs ?? DEFAULT_PING_MS
  const token = randomBytes(32).toString('base64url')
  const isSessionToken = sessionTokenCheck(token)
  const authorized = (req: IncomingMessage): boolean => isSessionToken(req.headers.authorization)
  const streams = new Set<ServerResponse>()
  // Known once the server listens; until then no request can arrive.
  let site: BridgeSite = { host: '', origin: '' }

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
    const refusal = refuseForeignRequest(req.headers, site, req.rawHeaders)
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
  site = bridgeSite(port)
  const { origin } = site
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
