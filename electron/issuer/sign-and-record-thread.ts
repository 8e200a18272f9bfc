import { createPrivateKey } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join, sep } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { KeyAlgorithm, TokenType } from '../../shared/enums.js'
import { createSigner, type Signer, type SignerFactory } from '../keys/signer.js'
import { tokenRow, type TokenRecord } from '../ledger/token-ledger.js'
import { SEMI_SPACE_BOUND_MIB } from '../platform/heap-bounds.js'
import type { Logger } from '../platform/logger.js'
import type { BatchReply, WorkerReply, WorkerRequest } from './sign-and-record-worker.js'

/**
 * Jobs go over as soon as this many have queued, the rest at the end of the event-loop turn:
 * the thread starts signing while the event loop is still reading the rest of a burst of
 * requests, instead of the two threads taking turns. What queues on the thread meanwhile is
 * committed there together.
 */
const POST_AFTER_JOBS = 4

/**
 * The thread's young generation (3 × one semi-space in V8) as small as the main thread's: its
 * live set is a few batches of jobs.
 */
const SIGNING_WORKER_LIMITS = { maxYoungGenerationSizeMb: 3 * SEMI_SPACE_BOUND_MIB }

interface Job {
  kid: string
  typ: TokenType
  payload: Record<string, unknown>
  record: TokenRecord | undefined
  resolve: (token: string) => void
  reject: (err: Error) => void
}

/** Where the ledger records go when the thread is gone (the main thread's own ledger). */
export type RecordInline = (record: TokenRecord) => Promise<void>

/**
 * Commits ledger records and signs tokens on a second thread, so the event loop keeps to TLS,
 * HTTP and policy and the token endpoint uses both cores. It lives in issuer/, where keys/ and
 * ledger/ meet: keys/ signs and never writes the ledger. Jobs go over a few at a time (see
 * POST_AFTER_JOBS). Should the thread die, issuing continues inline: slower, never unavailable.
 */
export class SignAndRecordThread {
  #worker: Worker | undefined
  #queue: Job[] = []
  #scheduled = false
  #batch = 0
  readonly #inFlight = new Map<number, Job[]>()
  readonly #inline = new Map<string, Signer>()
  readonly #log: Logger
  readonly #recordInline: RecordInline

  private constructor(worker: Worker, log: Logger, dataDir: string, recordInline: RecordInline) {
    this.#worker = worker
    this.#log = log
    this.#recordInline = recordInline
    worker.unref()
    worker.on('message', (replies: WorkerReply) => {
      for (const reply of replies) this.#settle(reply)
    })
    worker.on('error', (err) => this.#fail(err))
    worker.on('exit', (code) => this.#fail(new Error(`the signing thread exited (${code})`)))
    this.#post({ type: 'ledger', dataDir })
  }

  /** Undefined where the compiled worker is not at hand (tests run the TypeScript sources). */
  static start(
    log: Logger,
    dataDir: string,
    recordInline: RecordInline,
  ): SignAndRecordThread | undefined {
    // Packaged, the worker is unpacked next to app.asar: worker threads cannot start from an archive.
    const script = join(__dirname, 'sign-and-record-worker.js').replace(
      `app.asar${sep}`,
      `app.asar.unpacked${sep}`,
    )
    if (!existsSync(script)) return undefined
    return new SignAndRecordThread(
      new Worker(script, { resourceLimits: SIGNING_WORKER_LIMITS }),
      log,
      dataDir,
      recordInline,
    )
  }

  /** Registers a key with the thread; its signer signs there (no ledger record). */
  readonly factory: SignerFactory = (der, kid, alg) => {
    this.#inline.set(
      kid,
      createSigner(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }), kid, alg),
    )
    this.#post({ type: 'key', kid, alg, der: new Uint8Array(der) })
    return {
      kid,
      alg: alg as KeyAlgorithm,
      signJwt: (payload, typ) => this.#enqueue(kid, typ, payload, undefined),
    }
  }

  /** Records a token in the ledger and signs it: resolves once both are done. */
  issue(
    kid: string,
    typ: TokenType,
    payload: Record<string, unknown>,
    record: TokenRecord,
  ): Promise<string> {
    return this.#enqueue(kid, typ, payload, record)
  }

  /** Finishes what the thread holds, then stops it; anything still queued is issued inline. */
  async close(): Promise<void> {
    const worker = this.#worker
    if (!worker) return
    this.#flush()
    const inFlight = [...this.#inFlight.values()].flat()
    await Promise.race([
      Promise.allSettled(
        inFlight.map(
          (job) =>
            new Promise<void>((resolve) => {
              const { resolve: done, reject } = job
              job.resolve = (token) => (done(token), resolve())
              job.reject = (err) => (reject(err), resolve())
            }),
        ),
      ),
      new Promise((resolve) => setTimeout(resolve, 2000).unref()),
    ])
    this.#worker = undefined
    this.#drainInline(new Error('the signing thread was closed'))
    await worker.terminate()
  }

  #enqueue(
    kid: string,
    typ: TokenType,
    payload: Record<string, unknown>,
    record: TokenRecord | undefined,
  ): Promise<string> {
    if (this.#worker === undefined) return this.#issueInline(kid, typ, payload, record)
    return new Promise((resolve, reject) => {
      this.#queue.push({ kid, typ, payload, record, resolve, reject })
      if (this.#queue.length >= POST_AFTER_JOBS) return this.#flush()
      if (!this.#scheduled) {
        this.#scheduled = true
        setImmediate(() => {
          this.#scheduled = false
          this.#flush()
        })
      }
    })
  }

  #flush(): void {
    if (this.#worker === undefined) return this.#drainInline(new Error('no signing thread'))
    const jobs = this.#queue
    this.#queue = []
    if (jobs.length === 0) return
    const batch = ++this.#batch
    this.#inFlight.set(batch, jobs)
    this.#post({
      type: 'sign',
      batch,
      jobs: jobs.map((j) => [
        j.kid,
        j.typ,
        JSON.stringify(j.payload),
        j.record ? tokenRow(j.record) : null,
      ]),
    })
  }

  #post(msg: WorkerRequest): void {
    this.#worker?.postMessage(msg)
  }

  #settle(reply: BatchReply): void {
    const jobs = this.#inFlight.get(reply.batch)
    if (!jobs) return
    this.#inFlight.delete(reply.batch)
    if ('error' in reply) {
      for (const job of jobs) job.reject(new Error(reply.error))
      return
    }
    jobs.forEach((job, i) => job.resolve(reply.tokens[i]!))
  }

  /** The thread is gone: finish what it held inline, and issue inline from now on. */
  #fail(err: Error): void {
    if (this.#worker === undefined) return
    this.#worker = undefined
    this.#log.error('signing thread failed; issuing inline', { error: err })
    this.#drainInline(err)
  }

  #drainInline(err: Error): void {
    const pending = [...this.#inFlight.values()].flat().concat(this.#queue)
    this.#inFlight.clear()
    this.#queue = []
    for (const job of pending) {
      if (!this.#inline.has(job.kid)) job.reject(err)
      // A batch lost with the thread may or may not have been committed: record it again,
      // tolerating the duplicate.
      else
        this.#issueInline(job.kid, job.typ, job.payload, job.record).then(job.resolve, job.reject)
    }
  }

  async #issueInline(
    kid: string,
    typ: TokenType,
    payload: Record<string, unknown>,
    record: TokenRecord | undefined,
  ): Promise<string> {
    const signer = this.#inline.get(kid)
    if (!signer) throw new Error(`no key ${kid}`)
    const [token] = await Promise.all([
      signer.signJwt(payload, typ),
      record ? this.#recordInline(record) : undefined,
    ])
    return token
  }
}
