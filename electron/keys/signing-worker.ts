import { createPrivateKey } from 'node:crypto'
import { parentPort } from 'node:worker_threads'
import type { KeyAlgorithm } from '../../shared/constants.js'
import { INSERT_TOKEN_SQL, type TokenRow } from '../ledger/token-ledger.js'
import { openRecordsDb } from '../platform/records-db.js'
import { compactSigner, type TokenType } from './signer.js'

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
export type WorkerReply = { batch: number; tokens: string[] } | { batch: number; error: string }

const signers = new Map<string, ReturnType<typeof compactSigner>>()
let insertRows: ((rows: TokenRow[]) => void) | undefined
const port = parentPort
if (!port) throw new Error('signing-worker runs as a worker thread')

port.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'key') {
    const key = createPrivateKey({ key: Buffer.from(msg.der), format: 'der', type: 'pkcs8' })
    signers.set(msg.kid, compactSigner(key, msg.kid, msg.alg))
    return
  }
  if (msg.type === 'ledger') {
    const db = openRecordsDb(msg.dataDir)
    const insert = db.prepare(INSERT_TOKEN_SQL)
    insertRows = db.transaction((rows: TokenRow[]) => {
      for (const row of rows) insert.run(...row)
    })
    return
  }
  try {
    const rows = msg.jobs.flatMap(([, , , row]) => (row ? [row] : []))
    if (rows.length > 0) {
      if (!insertRows) throw new Error('the signing thread has no ledger')
      insertRows(rows)
    }
    const tokens = msg.jobs.map(([kid, typ, payload]) => {
      const signCompact = signers.get(kid)
      if (!signCompact) throw new Error(`no key ${kid} on the signing thread`)
      return signCompact(payload, typ)
    })
    port.postMessage({ batch: msg.batch, tokens } satisfies WorkerReply)
  } catch (err) {
    port.postMessage({ batch: msg.batch, error: (err as Error).message } satisfies WorkerReply)
  }
})
