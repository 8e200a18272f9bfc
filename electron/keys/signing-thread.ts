import { createPrivateKey } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join, sep } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { KeyAlgorithm } from '../../shared/constants.js'
import type { Logger } from '../platform/logger.js'
import { createSigner, type Signer, type SignerFactory, type TokenType } from './signer.js'
import type { WorkerReply, WorkerRequest } from './signing-worker.js'

interface Job {
  kid: string
  typ: TokenType
  payload: string
  resolve: (token: string) => void
  reject: (err: Error) => void
}

/**
 * Signs on a second thread so the event loop keeps to TLS, HTTP and policy: the token endpoint
 * then uses both cores. Jobs queued in one event-loop turn go over in one message. Should the
 * thread die, signing continues inline: slower, never unavailable.
 */
export class SigningThread {
  #worker: Worker | undefined
  #queue: Job[] = []
  #scheduled = false
  #batch = 0
  readonly #inFlight = new Map<number, Job[]>()
  readonly #inline = new Map<string, Signer>()
  readonly #log: Logger

  private constructor(worker: Worker, log: Logger) {
    this.#worker = worker
    this.#log = log
    worker.unref()
    worker.on('message', (reply: WorkerReply) => this.#settle(reply))
    worker.on('error', (err) => this.#fail(err))
    worker.on('exit', (code) => this.#fail(new Error(`the signing thread exited (${code})`)))
  }

  /** Undefined where the compiled worker is not at hand (tests run the TypeScript sources). */
  static start(log: Logger): SigningThread | undefined {
    // Packaged, the worker is unpacked next to app.asar: worker threads cannot start from an archive.
    const script = join(__dirname, 'signing-worker.js').replace(
      `app.asar${sep}`,
      `app.asar.unpacked${sep}`,
    )
    if (!existsSync(script)) return undefined
    return new SigningThread(new Worker(script), log)
  }

  readonly factory: SignerFactory = (der, kid, alg) => {
    const inline = createSigner(
      createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
      kid,
      alg,
    )
    this.#inline.set(kid, inline)
    this.#post({ type: 'key', kid, alg, der: new Uint8Array(der) })
    return {
      kid,
      alg: alg as KeyAlgorithm,
      signJwt: (payload, typ) =>
        this.#worker === undefined
          ? inline.signJwt(payload, typ)
          : new Promise((resolve, reject) => {
              this.#queue.push({ kid, typ, payload: JSON.stringify(payload), resolve, reject })
              if (!this.#scheduled) {
                this.#scheduled = true
                setImmediate(() => this.#flush())
              }
            }),
    }
  }

  async close(): Promise<void> {
    const worker = this.#worker
    this.#worker = undefined
    this.#drainInline(new Error('the signing thread was closed'))
    await worker?.terminate()
  }

  #flush(): void {
    this.#scheduled = false
    if (this.#worker === undefined) return this.#drainInline(new Error('no signing thread'))
    const jobs = this.#queue
    this.#queue = []
    if (jobs.length === 0) return
    const batch = ++this.#batch
    this.#inFlight.set(batch, jobs)
    this.#post({ type: 'sign', batch, jobs: jobs.map((j) => [j.kid, j.typ, j.payload]) })
  }

  #post(msg: WorkerRequest): void {
    this.#worker?.postMessage(msg)
  }

  #settle(reply: WorkerReply): void {
    const jobs = this.#inFlight.get(reply.batch)
    if (!jobs) return
    this.#inFlight.delete(reply.batch)
    if ('error' in reply) {
      for (const job of jobs) job.reject(new Error(reply.error))
      return
    }
    jobs.forEach((job, i) => job.resolve(reply.tokens[i]!))
  }

  /** The thread is gone: finish what it held inline, and sign inline from now on. */
  #fail(err: Error): void {
    if (this.#worker === undefined) return
    this.#worker = undefined
    this.#log.error('signing thread failed; signing inline', { error: err })
    this.#drainInline(err)
  }

  #drainInline(err: Error): void {
    const pending = [...this.#inFlight.values()].flat().concat(this.#queue)
    this.#inFlight.clear()
    this.#queue = []
    for (const job of pending) {
      const inline = this.#inline.get(job.kid)
      if (!inline) job.reject(err)
      else
        inline
          .signJwt(JSON.parse(job.payload) as Record<string, unknown>, job.typ)
          .then(job.resolve, job.reject)
    }
  }
}
