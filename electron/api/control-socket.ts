import { existsSync, unlinkSync } from 'node:fs'
import { createConnection, createServer, type Server } from 'node:net'
import { dirname } from 'node:path'
import type { Envelope } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import { checkOwnSocket, type OwnerCheckOptions } from '../platform/ownership.js'
import type { Dispatch } from './dispatcher.js'

const MAX_REQUEST_BYTES = 256 * 1024

/**
 * The data directory's control socket. Listening on it is also the data directory's lock: the
 * one process that holds it (serve or the desktop app) owns every write, and CLI commands send
 * their change to it instead of writing underneath it.
 */
export class ControlSocket {
  #server: Server | undefined
  #dispatch: Dispatch | undefined

  private constructor(readonly path: string) {}

  /** Takes the lock; fails with `data_dir_locked` while another process holds it. */
  static async acquire(path: string): Promise<ControlSocket> {
    if (await isAlive(path)) {
      throw new AppError(
        'data_dir_locked',
        'another plgd-m2m-console process is using this data directory',
      )
    }
    if (process.platform !== 'win32' && existsSync(path)) unlinkSync(path) // left by a crash
    const socket = new ControlSocket(path)
    const server = createServer((conn) => {
      let buffered = ''
      conn.setEncoding('utf8')
      conn.on('data', (chunk: string) => {
        buffered += chunk
        if (buffered.length > MAX_REQUEST_BYTES) return conn.destroy()
        const newline = buffered.indexOf('\n')
        if (newline < 0) return
        const line = buffered.slice(0, newline)
        conn.removeAllListeners('data')
        void socket.#answer(line).then((reply) => conn.end(`${JSON.stringify(reply)}\n`))
      })
      conn.on('error', () => conn.destroy())
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new AppError(
                'data_dir_locked',
                'another plgd-m2m-console process is using this data directory',
              )
            : err,
        ),
      )
      // Owner-only: the socket accepts administrative changes.
      const oldMask = process.umask(0o177)
      try {
        server.listen(path, () => resolve())
      } finally {
        process.umask(oldMask)
      }
    })
    socket.#server = server
    return socket
  }

  /** Starts answering requests (until then, callers get `data_dir_locked`). */
  serve(dispatch: Dispatch): void {
    this.#dispatch = dispatch
  }

  async close(): Promise<void> {
    const server = this.#server
    if (!server) return
    this.#server = undefined
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  async #answer(line: string): Promise<Envelope<unknown>> {
    if (!this.#dispatch) {
      return {
        ok: false,
        error: { code: 'data_dir_locked', message: 'the data directory is busy; try again' },
      }
    }
    let request: { method?: unknown; input?: unknown }
    try {
      request = JSON.parse(line) as typeof request
    } catch {
      return { ok: false, error: { code: 'invalid_input', message: 'malformed request' } }
    }
    return this.#dispatch(String(request.method), request.input)
  }
}

/**
 * Sends one call to the process that holds the data directory; undefined when none does. The
 * socket's owner and directory are checked first: a request may carry a private key.
 */
export async function callControl(
  path: string,
  method: string,
  input: unknown,
  options: OwnerCheckOptions = {},
): Promise<Envelope<unknown> | undefined> {
  if (process.platform !== 'win32' && !checkOwnSocket(path, dirname(path), options)) {
    return undefined
  }
  return new Promise((resolve, reject) => {
    const conn = createConnection(path)
    let reply = ''
    conn.setEncoding('utf8')
    conn.setTimeout(30_000, () =>
      conn.destroy(new Error('the running instance did not answer in 30 s')),
    )
    conn.on('connect', () => conn.write(`${JSON.stringify({ method, input })}\n`))
    conn.on('data', (chunk: string) => (reply += chunk))
    conn.on('end', () => {
      try {
        resolve(JSON.parse(reply) as Envelope<unknown>)
      } catch {
        reject(new Error('the running instance sent a malformed reply'))
      }
    })
    conn.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') resolve(undefined)
      // The holder closed as we spoke: it was a short-lived CLI; the caller tries again.
      else if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
        reject(new AppError('data_dir_locked', 'the data directory changed hands; try again'))
      } else reject(err)
    })
  })
}

function isAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = createConnection(path)
    conn.on('connect', () => {
      conn.destroy()
      resolve(true)
    })
    conn.on('error', () => resolve(false))
  })
}
