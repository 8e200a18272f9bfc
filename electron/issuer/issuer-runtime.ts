import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../shared/errors.js'
import { configuredOrigin, type App } from '../app.js'
import { CA_CERT_FILE, readConsoleCaPem } from '../platform/paths.js'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RequestSite } from '../net/request-site.js'
import { isLoopback, startServer, type ConnectionLimits } from './issuer-server.js'
import { plainHttpSites, refuseForeignIssuerRequest, refusalMessage } from './plain-http-policy.js'
import { sendStatus } from './responses.js'

const RENEWAL_CHECK_MS = 12 * 3600 * 1000
const PURGE_EVERY_MS = 3600 * 1000

export interface IssuerRunOptions {
  /** host:port override of the stored listen address; port 0 picks a free port. */
  listen?: { host: string; port: number } | undefined
  publicHost?: string | undefined
  /** Plain HTTP, refused unless listening on loopback. */
  insecureHttp?: boolean
  /**
   * An always-on issuer: advertises plgd's tokens endpoint so hubs verify every token. Unset:
   * the stored `station` setting decides; `serve --station` sets it for one run.
   */
  station?: boolean | undefined
  /** Overrides of the connection limits (tests). */
  limits?: Partial<ConnectionLimits>
}

export interface IssuerReady {
  issuer: string
  tokenEndpoint: string
  jwksUri: string
  caCertFile: string | null
  listen: string
}

export interface RunningIssuer {
  ready: IssuerReady
  stop(): Promise<void>
}

/**
 * Runs the issuer of an opened app: validates the listen address, prepares TLS, listens, and
 * keeps house while it runs (certificate renewal, ledger purge). Shared by `serve` and the
 * desktop app.
 */
export async function startIssuer(app: App, options: IssuerRunOptions): Promise<RunningIssuer> {
  const stored = app.issuerSettings()
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
  const handler = app.issuerHandler()
  // Plain HTTP: known once the port is; until then every request is refused.
  let sites: RequestSite[] = []
  const guarded = (req: IncomingMessage, res: ServerResponse): void => {
    const refusal = refuseForeignIssuerRequest(req.headers, req.rawHeaders, sites)
    if (refusal) {
      const code = refusal.status === 403 ? 7 : 14
      return sendStatus(res, refusal.status, code, refusalMessage(refusal, sites))
    }
    void handler(req, res)
  }
  const server = await startServer({
    host,
    port,
    tls,
    handler: tls ? handler : guarded,
    limits: options.limits,
  })
  sites = plainHttpSites(host, publicHost, server.port)
  keepChosenPort(app, options, server.port)
  const origin = configuredOrigin(
    { ...stored, listenHost: host, port: server.port, publicHost: publicHost ?? null },
    tls ? 'https' : 'http',
  )
  app.setOrigin(origin, options.station ?? stored.station)
  const timers = [
    // A long-running station renews its certificate itself, well before it expires.
    tls
      ? setInterval(() => {
          prepareTls(app, host, publicHost).then(
            (next) => server.setTls(next),
            (err: unknown) => app.log.error('certificate renewal failed', { error: err }),
          )
        }, RENEWAL_CHECK_MS)
      : undefined,
    setInterval(() => purge(app), PURGE_EVERY_MS),
  ]
  for (const t of timers) t?.unref()
  purge(app)
  const urls = app.urls()
  app.events.emit({ type: 'issuer.state', data: { running: true, issuer: urls.issuer } })
  return {
    ready: {
      ...urls,
      caCertFile: tls ? join(app.dataDir, CA_CERT_FILE) : null,
      listen: `${host.includes(':') ? `[${host}]` : host}:${server.port}`,
    },
    async stop() {
      for (const t of timers) clearInterval(t)
      await server.close()
      app.events.emit({ type: 'issuer.state', data: { running: false, issuer: urls.issuer } })
    },
  }
}

/**
 * `iss` carries the port: a stored port 0 would give hubs a new authority URL on every start, and
 * older tokens would then fail. The port bound the first time is kept (a `--listen` override
 * is one run's choice and is not stored).
 */
function keepChosenPort(app: App, options: IssuerRunOptions, bound: number): void {
  const stored = app.issuerSettings()
  if (options.listen !== undefined || stored.port !== 0) return
  app.settings.set('issuer', { ...stored, port: bound })
  app.log.info('kept the port chosen for the issuer, so its URL stays the same', { port: bound })
}

function purge(app: App): void {
  try {
    const purged = app.purgeExpired()
    if (purged.tokens + purged.assertions + purged.jobs > 0) {
      app.log.info('purged expired records', purged)
    }
  } catch (err) {
    app.log.error('purge failed', { error: err })
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
  const previousCa = readConsoleCaPem(app.dataDir)
  if (previousCa !== result.material.caCertPem) {
    writeFileSync(caFile, result.material.caCertPem, { mode: 0o644 })
    // A new CA (renewal, or a public host outside the old one's name constraints) breaks
    // every hub that trusts the old one until its admin installs this file.
    if (previousCa !== null) {
      app.log.warn('made a new local CA: give hubs and services the new ca.pem', {
        caFile,
        hosts: serverHostsFor(host, publicHost).join(' '),
      })
    }
  }
  return { key: result.material.keyPem, cert: result.material.certPem }
}
