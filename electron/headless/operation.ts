import type { Envelope } from '../../shared/contract/index.js'
import { AppError, type ErrorShape } from '../../shared/errors.js'
import { ControlSocket, callControl } from '../api/control-socket.js'
import { createDispatcher } from '../api/dispatcher.js'
import { controlSocketPath, ensureDataDir } from '../platform/paths.js'
import type { Globals } from './commands/spec.js'
import { openHeadlessApp } from './local-app.js'

/** An error the dispatcher (here or in the running issuer) already shaped and logged. */
export class ReportedError extends Error {
  constructor(readonly shape: ErrorShape) {
    super(shape.message)
  }
}

/**
 * Runs one contract method: through the running instance's control socket when one holds the
 * data directory (its change takes effect at once), else directly on the data directory.
 */
export async function runOperation(
  globals: Globals,
  method: string,
  input: unknown,
): Promise<unknown> {
  const socketPath = controlSocketPath(ensureDataDir(globals.dataDir))
  // Another CLI may hold the data directory for a moment: wait for it rather than fail.
  for (let attempt = 0; ; attempt++) {
    let reply: Envelope<unknown> | undefined
    try {
      reply =
        (await callControl(socketPath, method, input)) ??
        (await runLocally(globals, socketPath, method, input))
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'data_dir_locked') || attempt >= 50) throw err
    }
    const busy = reply !== undefined && !reply.ok && reply.error.code === 'data_dir_locked'
    if (reply !== undefined && (!busy || attempt >= 50)) {
      if (!reply.ok) throw new ReportedError(reply.error)
      return reply.value
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function runLocally(
  globals: Globals,
  socketPath: string,
  method: string,
  input: unknown,
): Promise<Envelope<unknown>> {
  const lock = await ControlSocket.acquire(socketPath)
  try {
    const app = await openHeadlessApp(globals)
    try {
      return await createDispatcher(app, 'cli')(method, input)
    } finally {
      await app.close()
    }
  } finally {
    await lock.close()
  }
}
