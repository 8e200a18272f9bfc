import type { App } from '../app.js'
import { ControlSocket } from '../api/control-socket.js'
import { startConsoleBridge, type ConsoleBridge } from '../api/http-bridge.js'
import { createDispatcher } from '../api/dispatcher.js'
import { startIssuer, type IssuerReady, type IssuerRunOptions } from '../issuer/issuer-runtime.js'
import type { Logger } from '../platform/logger.js'
import { controlSocketPath, ensureDataDir } from '../platform/paths.js'
import type { VaultChoice } from '../secrets/vault.js'
import { openHeadlessApp } from './local-app.js'

export interface ServeOptions extends IssuerRunOptions {
  dataDir: string
  log: Logger
  vault?: VaultChoice | undefined
  vaultPassphraseFile?: string | undefined
  /** Serves the console UI (the renderer build) to a browser on a loopback-only bridge. */
  console?: { staticDir: string; port?: number | undefined } | undefined
}

export interface ReadyInfo extends IssuerReady {
  event: 'ready'
  /** http://127.0.0.1:PORT/#session=…: the console in a browser; null without the bridge. */
  consoleUrl: string | null
}

export interface Serving {
  ready: ReadyInfo
  app: App
  stop(): Promise<void>
}

/** Starts the issuer on a data directory and holds its lock until stopped. */
export async function serve(options: ServeOptions): Promise<Serving> {
  const dataDir = ensureDataDir(options.dataDir)
  const lock = await ControlSocket.acquire(controlSocketPath(dataDir))
  let app: App | undefined
  let bridge: ConsoleBridge | undefined
  try {
    app = await openHeadlessApp({ ...options, dataDir, signingThread: true })
    const issuer = await startIssuer(app, options)
    lock.serve(createDispatcher(app, 'cli'))
    if (options.console) {
      bridge = await startConsoleBridge({
        dispatch: createDispatcher(app, 'console'),
        events: app.events,
        staticDir: options.console.staticDir,
        port: options.console.port,
        log: app.log,
      })
    }
    const running = app
    const consoleBridge = bridge
    return {
      ready: { event: 'ready', ...issuer.ready, consoleUrl: consoleBridge?.consoleUrl ?? null },
      app: running,
      async stop() {
        await consoleBridge?.close()
        await lock.close()
        await issuer.stop()
        await running.close()
      },
    }
  } catch (err) {
    await bridge?.close()
    await app?.close()
    await lock.close()
    throw err
  }
}
