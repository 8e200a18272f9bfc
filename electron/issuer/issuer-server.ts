import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'

export interface ListeningServer {
  port: number
  /** Swaps the certificate without dropping connections (renewal while running). */
  setTls(tls: { key: string; cert: string }): void
  close(): Promise<void>
}

/**
 * How long a client may hold a connection without finishing its part, and how many it may
 * hold: a stalled or hostile client must not keep sockets (or file descriptors) from hubs.
 */
export interface ConnectionLimits {
  /** A TLS handshake (from the TCP accept, ClientHello included) must finish within this. */
  handshakeTimeoutMs: number
  /** The request line and headers must arrive within this. */
  headersTimeoutMs: number
  /** The whole request, body included, must arrive within this. */
  requestTimeoutMs: number
  /** How often the two timeouts above are enforced (Node checks them on a timer). */
  checkIntervalMs: number
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number
  /** Connections open at once, from everyone; more are closed as they arrive. */
  maxConnections: number
  /** Connections open at once from one remote address. */
  maxConnectionsPerAddress: number
}

/** docs/issuer-limits.md lists these; change both together. */
export const DEFAULT_LIMITS: ConnectionLimits = {
  handshakeTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  checkIntervalMs: 1_000,
  keepAliveTimeoutMs: 30_000,
  maxConnections: 2048,
  maxConnectionsPerAddress: 256,
}

export interface StartServerOptions {
  host: string
  port: number
  /** Absent only for plain HTTP, which the caller allows on loopback alone. */
  tls?: { key: string; cert: string } | undefined
  handler: (
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
  ) => void
  /** Overrides of DEFAULT_LIMITS (tests use small ones). */
  limits?: Partial<ConnectionLimits> | undefined
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
}

export async function startServer(options: StartServerOptions): Promise<ListeningServer> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  const httpOptions = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node enforces headersTimeout and requestTimeout only when it checks (default 30 s).
    connectionsCheckingInterval: limits.checkIntervalMs,
  }
  const server: Server | import('node:https').Server = options.tls
    ? createHttpsServer(
        {
          ...httpOptions,
          key: options.tls.key,
          cert: options.tls.cert,
          minVersion: 'TLSv1.2',
          handshakeTimeout: limits.handshakeTimeoutMs,
        },
        options.handler,
      )
    : createHttpServer(httpOptions, options.handler)
  // Also as properties: the constructor options of older Node versions miss some of them.
  server.headersTimeout = limits.headersTimeoutMs
  server.requestTimeout = limits.requestTimeoutMs
  server.keepAliveTimeout = limits.keepAliveTimeoutMs
  server.maxConnections = limits.maxConnections
  capPerAddress(server, limits.maxConnectionsPerAddress)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  return {
    port,
    setTls(tls) {
      if ('setSecureContext' in server) server.setSecureContext({ key: tls.key, cert: tls.cert })
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
        // In-flight requests get a moment to finish; then the rest are cut.
        setTimeout(() => server.closeAllConnections(), 2000).unref()
      }),
  }
}

/**
 * Closes a connection at once when its address already holds `max`: one client cannot take
 * every slot of maxConnections. 'connection' is the raw TCP socket, before any TLS.
 */
function capPerAddress(server: import('node:net').Server, max: number): void {
  const open = new Map<string, number>()
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown'
    const count = open.get(address) ?? 0
    if (count >= max) {
      socket.destroy()
      return
    }
    open.set(address, count + 1)
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1
      if (left <= 0) open.delete(address)
      else open.set(address, left)
    })
  })
}
