// @vitest-environment node
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  BACKUP_FORMAT_VERSION,
  DEFAULT_SCRYPT,
  MAGIC,
  headerBytes,
  openBackup,
  readHeader,
  sealBackup,
  type BackupHeader,
} from '../../electron/backup/backup-file.js'

/**
 * The encrypted backup file (issue 15 item 5): scrypt + AES-256-GCM with the header as
 * additional data. Each way a file can be wrong is refused with its own cause.
 */

const FAST = { N: 2 ** 10, r: 8, p: 1 }
const PASS = 'correct horse battery staple'
const PAYLOAD = Buffer.from(JSON.stringify({ hello: 'console', n: [1, 2, 3] }))

function headerLength(file: Buffer): number {
  return file.readUInt32BE(MAGIC.length)
}

/** A file whose header says `edit(header)`, with a digest that matches (as a tool would write). */
function withHeader(file: Buffer, edit: (h: BackupHeader) => void): Buffer {
  const { header, body } = readHeader(file)
  edit(header)
  const prefix = headerBytes(header)
  return Buffer.concat([prefix, createHash('sha256').update(prefix).digest(), body])
}

describe('backup file', () => {
  it('round-trips under the default scrypt cost, and stores the cost in the header', async () => {
    const file = await sealBackup(PAYLOAD, PASS)
    const { header } = readHeader(file)
    expect(header).toMatchObject({
      version: BACKUP_FORMAT_VERSION,
      kdf: { name: 'scrypt', ...DEFAULT_SCRYPT },
      cipher: { name: 'aes-256-gcm' },
    })
    expect(file.subarray(0, MAGIC.length).toString()).toBe('plgd-m2m-console backup\n')
    expect(file.includes(PAYLOAD)).toBe(false)
    expect(await openBackup(file, PASS)).toEqual(PAYLOAD)
  })

  it('uses a fresh salt and nonce each time', async () => {
    const [a, b] = await Promise.all([
      sealBackup(PAYLOAD, PASS, FAST),
      sealBackup(PAYLOAD, PASS, FAST),
    ])
    expect(readHeader(a).header.kdf.salt).not.toBe(readHeader(b).header.kdf.salt)
    expect(readHeader(a).header.cipher.nonce).not.toBe(readHeader(b).header.cipher.nonce)
  })

  it('refuses a wrong passphrase as such', async () => {
    const file = await sealBackup(PAYLOAD, PASS, FAST)
    await expect(openBackup(file, 'not the passphrase at all')).rejects.toThrow(
      /wrong backup passphrase/,
    )
  })

  it('refuses a truncated file, wherever it was cut', async () => {
    const file = await sealBackup(PAYLOAD, PASS, FAST)
    for (const cut of [10, MAGIC.length + 4 + 20, file.length - 1, file.length - 20]) {
      await expect(openBackup(file.subarray(0, cut), PASS)).rejects.toThrow(/truncated/)
    }
  })

  it('refuses a flipped byte in the header as damage, before the passphrase is tried', async () => {
    const file = await sealBackup(PAYLOAD, PASS, FAST)
    const flipped = Buffer.from(file)
    const at = MAGIC.length + 4 + Math.floor(headerLength(file) / 2)
    flipped[at] = flipped[at]! ^ 0x01
    await expect(openBackup(flipped, 'any passphrase')).rejects.toThrow(
      /damaged or was altered \(its header does not match its digest\)/,
    )
  })

  it('refuses a flipped byte in the body as damage, not as a wrong passphrase', async () => {
    const file = await sealBackup(PAYLOAD, PASS, FAST)
    for (const at of [file.length - 1, file.length - 17]) {
      const flipped = Buffer.from(file)
      flipped[at] = flipped[at]! ^ 0x80
      await expect(openBackup(flipped, PASS)).rejects.toThrow(/its contents do not authenticate/)
    }
  })

  it('refuses a header changed with its digest recomputed: the AEAD authenticates it', async () => {
    const file = await sealBackup(PAYLOAD, PASS, FAST)
    const edited = withHeader(file, (h) => {
      h.compression = 'gzip'
      ;(h as unknown as { note: string }).note = 'added'
    })
    await expect(openBackup(edited, PASS)).rejects.toThrow(/its contents do not authenticate/)
  })

  it('refuses a newer format version, naming it', async () => {
    const file = await sealBackup(PAYLOAD, PASS, FAST)
    const newer = withHeader(file, (h) => (h.version = BACKUP_FORMAT_VERSION + 1))
    await expect(openBackup(newer, PASS)).rejects.toThrow(
      new RegExp(`format version ${BACKUP_FORMAT_VERSION + 1} by a newer plgd-m2m-console`),
    )
  })

  it('refuses a file that is no backup, and a KDF cost a crafted header inflates', async () => {
    await expect(openBackup(Buffer.from('{"clients":{}}'), PASS)).rejects.toThrow(
      /not a plgd-m2m-console backup file/,
    )
    const file = await sealBackup(PAYLOAD, PASS, FAST)
    const huge = withHeader(file, (h) => (h.kdf.N = 2 ** 30))
    await expect(openBackup(huge, PASS)).rejects.toThrow(/key derivation parameters/)
  })
})
