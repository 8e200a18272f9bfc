// @vitest-environment node
// Runs against the build (dist/): the worker thread needs the compiled signing-worker.js.
import { generateKeyPairSync } from 'node:crypto'
import { compactVerify, exportJWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { SigningThread } from '../../dist/node/electron/keys/signing-thread.js'

const silent = { debug() {}, info() {}, warn() {}, error() {} }

function es256() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  return { der: privateKey.export({ format: 'der', type: 'pkcs8' }), publicKey }
}

describe('signing thread', () => {
  it('signs many tokens in batches, each verifying with its own payload', async () => {
    const thread = SigningThread.start(silent)
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
    const thread = SigningThread.start(silent)!
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
