import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'

export interface ListeningServer {
  port: number
  /** Swaps the certificate without dropping connections (renewal while running). */
  setTls(tls: { key: string; cert: string }): void
  close(): Promise<void>
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
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
}

export async function startServer(options: StartServerOptions): Promise<ListeningServer> {
  const server: Server | import('node:https').Server = options.tls
    ? createHttpsServer(
        { key: options.tls.key, cert: options.tls.cert, minVersion: 'TLSv1.2' },
        options.handler,
      )
    : createHttpServer(options.handler)
  // Slow or stalled clients must not hold sockets for long.
  server.headersTimeout = 10_000
  server.requestTimeout = 15_000
  server.keepAliveTimeout = 30_000
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
