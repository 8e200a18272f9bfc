import type { App } from './app.js'
import { ControlSocket } from './api/control-socket.js'
import { createDispatcher } from './api/dispatcher.js'
import {
  startIssuer,
  type IssuerReady,
  type IssuerRunOptions,
  type RunningIssuer,
} from './issuer/issuer-runtime.js'
import { controlSocketPath, ensureDataDir } from './platform/paths.js'

/**
 * One host for `serve` and the desktop app: the data directory's lock (its control socket, which
 * then answers CLI commands), the app, the issuer, and the transports the console reaches the app
 * through (the loopback HTTP bridge headless, IPC in the desktop). What differs between the two
 * (how the app is opened, which transports) is passed in.
 */

/** A running transport over the app's dispatcher. */
export interface Transport {
  close(): Promise<void>
}

/** Starts one transport once the issuer runs. */
export type StartTransport = (app: App) => Promise<Transport> | Transport

export interface HostOptions {
  dataDir: string
  /** Opens the app on the (created, resolved) data directory, its vault chosen the platform's way. */
  openApp(dataDir: string): Promise<App>
  issuer: IssuerRunOptions
  /** Started in order after the issuer; stopped in reverse order, before anything else. */
  transports?: readonly StartTransport[] | undefined
}

export interface Host {
  app: App
  ready: IssuerReady
  /** Stops in reverse order: transports, control socket (the lock), issuer, app. */
  stop(): Promise<void>
}

/**
 * Takes the lock before anything is opened, so a second process on the same data directory fails
 * with `data_dir_locked` without touching it. A failed start undoes what was started, in the
 * same order as a stop.
 */
export async function startHost(options: HostOptions): Promise<Host> {
  const dataDir = ensureDataDir(options.dataDir)
  const lock = await ControlSocket.acquire(controlSocketPath(dataDir))
  let app: App | undefined
  let issuer: RunningIssuer | undefined
  const transports: Transport[] = []
  const stopAll = async (): Promise<void> => {
    for (const transport of transports.splice(0).reverse()) await transport.close()
    // The control socket closes before the issuer stops: no CLI command reaches an app that
    // is shutting down.
    await lock.close()
    await issuer?.stop()
    await app?.close()
  }
  try {
    app = await options.openApp(dataDir)
    issuer = await startIssuer(app, options.issuer)
    lock.serve(createDispatcher(app, 'cli'))
    for (const start of options.transports ?? []) transports.push(await start(app))
    let stopping: Promise<void> | undefined
    return { app, ready: issuer.ready, stop: () => (stopping ??= stopAll()) }
  } catch (err) {
    await stopAll()
    throw err
  }
}
