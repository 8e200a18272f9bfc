import type { Envelope } from '../../shared/contract/index.js'
import { AppError, type ErrorShape } from '../../shared/errors.js'
import { ControlSocket, callControl } from '../api/control-socket.js'
import { createDispatcher, type Dispatch } from '../api/dispatcher.js'
import type { App } from '../app.js'
import { controlSocketPath, ensureDataDir } from '../platform/paths.js'
import type { Globals } from './commands/spec.js'
import { openHeadlessApp } from './local-app.js'

/** An error the dispatcher (here or in the running issuer) already shaped and logged. */
export class ReportedError extends Error {
  constructor(readonly shape: ErrorShape) {
    super(shape.message)
  }
}

const BUSY: Envelope<unknown> = {
  ok: false,
  error: { code: 'data_dir_locked', message: 'the data directory is busy; try again' },
}

/**
 * One command line's way to its data directory. Each contract method goes through the running
 * instance's control socket when one holds the directory (its change takes effect at once).
 * Otherwise the first call takes the lock and opens the app here, and every later call reuses
 * them until close(): a command that starts a job (dps watch, configs apply) runs it in this
 * process while it polls. Meanwhile other CLIs reach this one through the lock's socket (`jobs
 * cancel` from another terminal). Closing stops the jobs still running (left interrupted).
 */
export class OperationSession {
  #local: { lock: ControlSocket; app: App; dispatch: Dispatch } | undefined
  #onSignal: ((signal: NodeJS.Signals) => void) | undefined
  #inFlight = 0
  #drained: (() => void) | undefined

  constructor(private readonly open: (globals: Globals) => Promise<App> = openHeadlessApp) {}

  readonly call = async (globals: Globals, method: string, input: unknown): Promise<unknown> => {
    if (this.#local) return unwrap(await this.#local.dispatch(method, input))
    const socketPath = controlSocketPath(ensureDataDir(globals.dataDir))
    for (let attempt = 0; ; attempt++) {
      let reply: Envelope<unknown> | undefined
      try {
        reply = await callControl(socketPath, method, input)
        if (reply === undefined) {
          await this.#openLocally(globals, socketPath)
          return unwrap(await this.#local!.dispatch(method, input))
        }
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'data_dir_locked') || attempt >= 50) throw err
      }
      const busy = reply !== undefined && !reply.ok && reply.error.code === 'data_dir_locked'
      if (reply !== undefined && (!busy || attempt >= 50)) return unwrap(reply)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  async close(): Promise<void> {
    const local = this.#local
    if (!local) return
    this.#local = undefined
    if (this.#onSignal) {
      process.off('SIGINT', this.#onSignal)
      process.off('SIGTERM', this.#onSignal)
    }
    // Other CLIs are told to wait, what they asked finishes, then the app and the lock close.
    local.lock.serve(() => Promise.resolve(BUSY))
    if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#drained = resolve))
    try {
      await local.app.close()
    } finally {
      await local.lock.close()
    }
  }

  async #openLocally(globals: Globals, socketPath: string): Promise<void> {
    const lock = await ControlSocket.acquire(socketPath)
    let app: App
    try {
      app = await this.open(globals)
    } catch (err) {
      await lock.close()
      throw err
    }
    // A data directory the CLI uses is set up (defaults, or what its commands set): the console
    // opened on it later must not offer the first-run wizard again.
    if (app.settings.get('setupCompleted') === undefined) app.settings.set('setupCompleted', true)
    const own = createDispatcher(app, 'cli')
    const dispatch: Dispatch = async (method, input) => {
      this.#inFlight++
      try {
        return await own(method, input)
      } finally {
        if (--this.#inFlight === 0) this.#drained?.()
      }
    }
    lock.serve(dispatch)
    this.#local = { lock, app, dispatch }
    // Ctrl-C while a job runs here: stop it cleanly (interrupted, resumable) and release the
    // lock. A second Ctrl-C kills at once, as usual.
    this.#onSignal = (signal) => {
      globals.log.warn(
        'stopping: jobs running in this command are left interrupted; `jobs resume ID` goes on',
      )
      void this.close().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
    }
    process.once('SIGINT', this.#onSignal)
    process.once('SIGTERM', this.#onSignal)
  }
}

function unwrap(reply: Envelope<unknown>): unknown {
  if (!reply.ok) throw new ReportedError(reply.error)
  return reply.value
}
