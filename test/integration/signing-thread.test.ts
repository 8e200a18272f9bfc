// @vitest-environment node
// Runs against the build (dist/): the worker thread needs the compiled sign-and-record-worker.js.
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compactVerify, exportJWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { SignAndRecordThread } from '../../dist/node/electron/issuer/sign-and-record-thread.js'
import { TokenLedger } from '../../dist/node/electron/ledger/token-ledger.js'
import { openRecordsDb, RECORDS_DB_FILE } from '../../dist/node/electron/platform/records-db.js'

const silent = { debug() {}, info() {}, warn() {}, error() {} }
const ledgerDir = (): string => mkdtempSync(join(tmpdir(), 'signing-thread-'))

/** A ledger record numbered `n`; a null name breaks the NOT NULL constraint. */
function ledgerRecord(n: number, name: string | null = '') {
  return {
    id: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`,
    name: name as string,
    owner: '1',
    issuedAt: 1,
    audience: [],
    scope: [],
    expiration: 2_000_000_000,
    clientId: 'c',
    subject: '1',
    originalTokenClaims: null,
    blacklisted: null,
  }
}

function es256() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  return { der: privateKey.export({ format: 'der', type: 'pkcs8' }), publicKey }
}

describe('signing thread', () => {
  it('signs many tokens in batches, each verifying with its own payload', async () => {
    const thread = SignAndRecordThread.start(silent, ledgerDir(), async () => {})
    expect(thread).toBeDefined()
    const { der, publicKey } = es256()
    const signer = thread!.factory(der, 'k1', 'ES256')
    const tokens = await Promise.all(
      Array.from({ length: 200 }, (_, i) => signer.signJwt({ n: i }, i % 2 ? 'JWT' : 'at+jwt')),
    )
    const key = await exportJWK(publicKey)
    for (const [i, token] of tokens.entries()) {
      const { payload, protectedHeader } = await compactVerify(token, {
        ...key,
        alg: 'ES256',
      } as never)
      expect(JSON.parse(Buffer.from(payload).toString())).toEqual({ n: i })
      expect(protectedHeader).toEqual({ alg: 'ES256', kid: 'k1', typ: i % 2 ? 'JWT' : 'at+jwt' })
    }
    await thread!.close()
  })

  it('keeps signing inline when the thread is gone', async () => {
    const thread = SignAndRecordThread.start(silent, ledgerDir(), async () => {})!
    const { der, publicKey } = es256()
    const signer = thread.factory(der, 'k2', 'ES256')
    const pending = signer.signJwt({ before: true }, 'JWT')
    await thread.close()
    const after = await signer.signJwt({ after: true }, 'JWT')
    const key = { ...(await exportJWK(publicKey)), alg: 'ES256' } as never
    await expect(compactVerify(after, key)).resolves.toBeDefined()
    // A job in flight when the thread went away is still answered (inline), not lost.
    await expect(pending.then((t) => compactVerify(t, key))).resolves.toBeDefined()
  })
})

/** A records database with the schema (as the app has before the thread starts) and a thread on it. */
function threadWithLedger(kid: string) {
  const dir = ledgerDir()
  const db = openRecordsDb(dir)
  const ledger = new TokenLedger(db)
  const thread = SignAndRecordThread.start(silent, dir, (r) => ledger.record(r))!
  thread.factory(es256().der, kid, 'ES256')
  return { dir, db, ledger, thread }
}

describe('signing thread with the ledger', () => {
  it('commits each record before its token is handed back', async () => {
    const { db, ledger, thread } = threadWithLedger('k3')
    const records = Array.from({ length: 50 }, (_, i) => ledgerRecord(i))
    const tokens = await Promise.all(
      records.map((r) => thread.issue('k3', 'JWT', { jti: r.id }, r)),
    )
    expect(tokens).toHaveLength(50)
    // Read through the main thread's own connection: the thread's commits are visible.
    for (const r of records) expect(ledger.get(r.id)?.clientId).toBe('c')
    await thread.close()
    db.close()
  })

  it('checkpoints the log itself between batches, so it stays short under a long run', async () => {
    const { dir, db, ledger, thread } = threadWithLedger('k5')
    const walBytes = () => statSync(join(dir, `${RECORDS_DB_FILE}-wal`)).size
    // 6,000 records in 60 rounds of 100: many commits, as under load.
    let peak = 0
    for (let round = 0; round < 60; round++) {
      const records = Array.from({ length: 100 }, (_, i) => ledgerRecord(10_000 + round * 100 + i))
      await Promise.all(records.map((r) => thread.issue('k5', 'JWT', { jti: r.id }, r)))
      peak = Math.max(peak, walBytes())
    }
    expect(ledger.get(ledgerRecord(15_999).id)?.clientId).toBe('c')
    // Left to itself the log would hold every page written: 6,000 records write well over
    // 1,000 pages (4 KiB each). Checkpointed every 512 records, it restarts from its start.
    expect(peak).toBeGreaterThan(0)
    expect(peak).toBeLessThan(1_000 * 4096)
    await thread.close()
    db.close()
  })

  it('fails only the batch with a bad record when batches are committed together', async () => {
    const { db, ledger, thread } = threadWithLedger('k4')
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve))
    // A large first batch keeps the thread busy while the next ones queue up behind it.
    const busy = Array.from({ length: 300 }, (_, i) => ledgerRecord(1000 + i))
    const first = Promise.all(busy.map((r) => thread.issue('k4', 'JWT', { jti: r.id }, r)))
    await nextTurn()
    const bad = thread.issue('k4', 'JWT', { n: 1 }, ledgerRecord(1, null)) // NOT NULL violation
    await nextTurn()
    const good = thread.issue('k4', 'JWT', { n: 2 }, ledgerRecord(2))
    await expect(first).resolves.toHaveLength(300)
    await expect(bad).rejects.toThrow(/NOT NULL/)
    await expect(good).resolves.toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(ledger.get(ledgerRecord(2).id)?.clientId).toBe('c')
    expect(ledger.get(ledgerRecord(1, null).id)).toBeUndefined()
    await thread.close()
    db.close()
  })
})

describe('the sign-and-record worker script', () => {
  const ROOT = join(__dirname, '..', '..')
  const WORKER = 'sign-and-record-worker.js'
  /** Without its script the thread silently leaves issuing inline: check every place it runs. */
  it('is built where the thread looks for it, in dist/node and in the CLI bundle', () => {
    expect(existsSync(join(ROOT, 'dist/node/electron/issuer', WORKER))).toBe(true)
    expect(existsSync(join(ROOT, 'dist/cli', WORKER))).toBe(true)
    const bundled = readdirSync(join(ROOT, 'dist/cli'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.js') && !file.endsWith(WORKER))
      .map((file) => readFileSync(join(ROOT, 'dist/cli', file), 'utf8'))
    expect(
      bundled.some((code) => code.includes(`'${WORKER}'`) || code.includes(`"${WORKER}"`)),
    ).toBe(true)
  })

  it('is unpacked from the desktop package (worker threads cannot start from an archive)', () => {
    const builder = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')
    expect(builder).toContain(`- dist/node/electron/issuer/${WORKER}`)
  })
})
