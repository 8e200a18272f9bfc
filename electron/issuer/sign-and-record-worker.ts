import { createPrivateKey } from 'node:crypto'
import { type MessagePort, parentPort, receiveMessageOnPort } from 'node:worker_threads'
import type { KeyAlgorithm, TokenType } from '../../shared/enums.js'
import { compactSigner } from '../keys/signer.js'
import { INSERT_TOKEN_SQL, type TokenRow } from '../ledger/token-ledger.js'
import { openRecordsDb } from '../platform/records-db.js'

/**
 * The issuing thread: holds the unsealed signing keys and its own connection to the records
 * database. For each batch it commits the ledger records first, then signs: a token never
 * leaves without its record.
 */
export type WorkerRequest =
  | { type: 'key'; kid: string; alg: KeyAlgorithm; der: Uint8Array }
  | { type: 'ledger'; dataDir: string }
  | {
      type: 'sign'
      batch: number
      jobs: [kid: string, typ: TokenType, payloadJson: string, row: TokenRow | null][]
    }
export type BatchReply = { batch: number; tokens: string[] } | { batch: number; error: string }
/** The batches of one wake-up, answered in one message: one wake-up of the event loop for all. */
export type WorkerReply = BatchReply[]

/**
 * SQLite would checkpoint the log inside a commit once it holds 1,000 pages: a copy and two
 * syncs (up to 13 ms here) that every token of the batch waited for. The thread checkpoints
 * itself instead, after the answers are posted, and more often, so each one is short.
 */
const CHECKPOINT_EVERY_ROWS = 512

const signers = new Map<string, ReturnType<typeof compactSigner>>()
let insertRows: ((rows: TokenRow[]) => void) | undefined
let checkpoint: (() => void) | undefined
let rowsSinceCheckpoint = 0
if (!parentPort) throw new Error('sign-and-record-worker runs as a worker thread')
const port: MessagePort = parentPort

type SignRequest = Extract<WorkerRequest, { type: 'sign' }>

port.on('message', (first: WorkerRequest) => {
  // Batches that queued while this thread was busy are taken together: under load the ledger
  // commits fewer, larger transactions (a small one writes whole pages for a few rows).
  const batches: SignRequest[] = []
  for (let msg: WorkerRequest | undefined = first; msg !== undefined; msg = next()) {
    if (msg.type === 'sign') batches.push(msg)
    else configure(msg)
  }
  if (batches.length > 0) issue(batches)
})

function next(): WorkerRequest | undefined {
  return receiveMessageOnPort(port)?.message as WorkerRequest | undefined
}

function configure(msg: Exclude<WorkerRequest, SignRequest>): void {
  if (msg.type === 'key') {
    const key = createPrivateKey({ key: Buffer.from(msg.der), format: 'der', type: 'pkcs8' })
    signers.set(msg.kid, compactSigner(key, msg.kid, msg.alg))
    return
  }
  const db = openRecordsDb(msg.dataDir)
  db.pragma('wal_autocheckpoint = 0')
  checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)')
  const insert = db.prepare(INSERT_TOKEN_SQL)
  insertRows = db.transaction((rows: TokenRow[]) => {
    for (const row of rows) insert.run(...row)
  })
}

/** Commits the records of all `batches` at once, then signs them and answers them together. */
function issue(batches: SignRequest[]): void {
  const commitErrors = commit(batches)
  const replies: WorkerReply = batches.map((batch) => sign(batch, commitErrors.get(batch.batch)))
  port.postMessage(replies)
  rowsSinceCheckpoint += batches.reduce((n, b) => n + b.jobs.length, 0)
  if (rowsSinceCheckpoint >= CHECKPOINT_EVERY_ROWS && checkpoint) {
    rowsSinceCheckpoint = 0
    try {
      checkpoint()
    } catch {
      // The answers are out and the records committed; the next checkpoint tries again, and a
      // database that cannot be written fails the next commit, which its callers are told of.
    }
  }
}

/**
 * One transaction for all. Should a record break a constraint, one transaction per batch, so
 * that the bad record fails only the batch it came with; any other failure (a locked or full
 * disk) fails them all at once rather than being waited out batch by batch. Returns each failed
 * batch's error.
 */
function commit(batches: SignRequest[]): Map<number, string> {
  const errors = new Map<number, string>()
  const rowsOf = (b: SignRequest): TokenRow[] => b.jobs.flatMap(([, , , row]) => (row ? [row] : []))
  const attempt = (group: SignRequest[]): unknown => {
    const rows = group.flatMap(rowsOf)
    if (rows.length === 0) return undefined
    try {
      if (!insertRows) throw new Error('the signing thread has no ledger')
      insertRows(rows)
      return undefined
    } catch (err) {
      return err
    }
  }
  const failed = attempt(batches)
  if (failed === undefined) return errors
  const retry = batches.length > 1 && isConstraintError(failed)
  for (const b of batches) {
    const err = retry ? attempt([b]) : failed
    if (err !== undefined) errors.set(b.batch, (err as Error).message)
  }
  return errors
}

function isConstraintError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')
}

function sign(msg: SignRequest, commitError: string | undefined): BatchReply {
  if (commitError !== undefined) return { batch: msg.batch, error: commitError }
  try {
    const tokens = msg.jobs.map(([kid, typ, payload]) => {
      const signCompact = signers.get(kid)
      if (!signCompact) throw new Error(`no key ${kid} on the signing thread`)
      return signCompact(payload, typ)
    })
    return { batch: msg.batch, tokens }
  } catch (err) {
    return { batch: msg.batch, error: (err as Error).message }
  }
}
