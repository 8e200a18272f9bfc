import type { App } from '../app.js'
import { ControlSocket } from '../api/control-socket.js'
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
}

export interface ReadyInfo extends IssuerReady {
  event: 'ready'
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
  try {
    app = await openHeadlessApp({ ...options, dataDir })
    const issuer = await startIssuer(app, options)
    lock.serve(createDispatcher(app, 'cli'))
    const running = app
    return {
      ready: { event: 'ready', ...issuer.ready },
      app: running,
      async stop() {
        await lock.close()
        await issuer.stop()
        running.close()
      },
    }
  } catch (err) {
    app?.close()
    await lock.close()
    throw err
  }
}
