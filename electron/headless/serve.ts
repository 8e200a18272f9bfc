import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../shared/errors.js'
import { configuredOrigin, type App } from '../app.js'
import { ControlSocket } from '../api/control-socket.js'
import { createDispatcher } from '../api/dispatcher.js'
import { createIssuerHandler } from '../issuer/issuer-handler.js'
import { isLoopback, startServer, type ListeningServer } from '../issuer/issuer-server.js'
import type { Logger } from '../platform/logger.js'
import { CA_CERT_FILE, controlSocketPath, ensureDataDir } from '../platform/paths.js'
import type { VaultChoice } from '../secrets/vault.js'
import { openHeadlessApp } from './local-app.js'

const RENEWAL_CHECK_MS = 12 * 3600 * 1000

export interface ServeOptions {
  dataDir: string
  log: Logger
  /** host:port override of the stored listen address; port 0 picks a free port. */
  listen?: { host: string; port: number } | undefined
  publicHost?: string | undefined
  /** Plain HTTP, refused unless listening on loopback. */
  insecureHttp: boolean
  vault?: VaultChoice | undefined
  vaultPassphraseFile?: string | undefined
}

export interface ReadyInfo {
  event: 'ready'
  issuer: string
  tokenEndpoint: string
  jwksUri: string
  caCertFile: string | null
  listen: string
}

export interface RunningIssuer {
  ready: ReadyInfo
  app: App
  stop(): Promise<void>
}

/** Starts the issuer on a data directory and holds its lock until stopped. */
export async function serve(options: ServeOptions): Promise<RunningIssuer> {
  const dataDir = ensureDataDir(options.dataDir)
  const lock = await ControlSocket.acquire(controlSocketPath(dataDir))
  let app: App | undefined
  let server: ListeningServer | undefined
  try {
    app = await openHeadlessApp({ ...options, dataDir })
    const stored = app.settings.get('issuer')
    const host = options.listen?.host ?? stored.listenHost
    const port = options.listen?.port ?? stored.port
    const publicHost = options.publicHost ?? stored.publicHost ?? undefined
    if (!isLoopback(host) && !publicHost) {
      throw new AppError(
        'invalid_input',
        `listening on ${host} exposes the issuer beyond this machine: give --public-host with the name hubs use to reach it`,
      )
    }
    if (options.insecureHttp && !isLoopback(host)) {
      throw new AppError(
        'invalid_input',
        'plain HTTP is only allowed on a loopback address (127.0.0.1, ::1)',
      )
    }
    const tls = options.insecureHttp ? undefined : await prepareTls(app, host, publicHost)
    const origin = (p: number): string =>
      configuredOrigin(
        { ...stored, listenHost: host, port: p, publicHost: publicHost ?? null },
        tls ? 'https' : 'http',
      )
    server = await startServer({
      host,
      port,
      tls,
      handler: createIssuerHandler({
        tokens: app.tokens,
        keys: app.keys,
        discoveryJson: () => app!.discoveryJson(),
        log: app.log,
      }),
    })
    app.setOrigin(origin(server.port))
    const listening = server
    // A long-running station renews its certificate itself, well before it expires.
    const renewal = tls
      ? setInterval(() => {
          prepareTls(app!, host, publicHost).then(
            (next) => listening.setTls(next),
            (err: unknown) => app!.log.error('certificate renewal failed', { error: err }),
          )
        }, RENEWAL_CHECK_MS)
      : undefined
    renewal?.unref()
    lock.serve(createDispatcher(app))
    const urls = app.urls()
    const ready: ReadyInfo = {
      event: 'ready',
      ...urls,
      caCertFile: tls ? join(dataDir, CA_CERT_FILE) : null,
      listen: `${host.includes(':') ? `[${host}]` : host}:${server.port}`,
    }
    const running = app
    return {
      ready,
      app: running,
      async stop() {
        clearInterval(renewal)
        await lock.close()
        await listening.close()
        running.close()
      },
    }
  } catch (err) {
    await server?.close()
    app?.close()
    await lock.close()
    throw err
  }
}

async function prepareTls(
  app: App,
  host: string,
  publicHost: string | undefined,
): Promise<{ key: string; cert: string }> {
  // Loaded here only: X.509 code is not needed to mint a token from the CLI.
  const { ensureTls, serverHostsFor } = await import('../tls/local-ca.js')
  const result = await ensureTls({
    stored: app.settings.get('tls'),
    hosts: serverHostsFor(host, publicHost),
    now: new Date(),
    sealer: app.sealer,
  })
  if (result.changed) {
    app.settings.set('tls', result.stored)
    app.log.info('issued the issuer certificate', {
      notAfter: result.material.notAfter.toISOString(),
    })
  }
  const caFile = join(app.dataDir, CA_CERT_FILE)
  if (readIfExists(caFile) !== result.material.caCertPem)
    writeFileSync(caFile, result.material.caCertPem, { mode: 0o644 })
  return { key: result.material.keyPem, cert: result.material.certPem }
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}
