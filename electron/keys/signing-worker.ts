import { createPrivateKey } from 'node:crypto'
import { parentPort } from 'node:worker_threads'
import type { KeyAlgorithm } from '../../shared/constants.js'
import { compactSigner, type TokenType } from './signer.js'

/** The signing thread: holds the unsealed signing keys and signs batches for the main thread. */
export type WorkerRequest =
  | { type: 'key'; kid: string; alg: KeyAlgorithm; der: Uint8Array }
  | { type: 'sign'; batch: number; jobs: [kid: string, typ: TokenType, payloadJson: string][] }
export type WorkerReply = { batch: number; tokens: string[] } | { batch: number; error: string }

const signers = new Map<string, ReturnType<typeof compactSigner>>()
const port = parentPort
if (!port) throw new Error('signing-worker runs as a worker thread')

port.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'key') {
    const key = createPrivateKey({ key: Buffer.from(msg.der), format: 'der', type: 'pkcs8' })
    signers.set(msg.kid, compactSigner(key, msg.kid, msg.alg))
    return
  }
  try {
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
