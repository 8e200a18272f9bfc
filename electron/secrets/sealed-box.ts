import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { AppError } from '../../shared/errors.js'

/**
 * AES-256-GCM under the data directory's wrapping key. The AAD names what a blob is for, so a
 * sealed CA key cannot be swapped in where a signing key is expected.
 * Format: `v1.<iv>.<ciphertext>.<tag>`, base64url parts.
 */
export class SealedBox {
  readonly #key: Buffer

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('wrapping key must be 32 bytes')
    this.#key = key
  }

  seal(plaintext: Buffer, aad: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv)
    cipher.setAAD(Buffer.from(aad, 'utf8'))
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()])
    return ['v1', iv, ct, cipher.getAuthTag()]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.')
  }

  open(sealed: string, aad: string): Buffer {
    const parts = sealed.split('.')
    const [version, ivText, ct, tagText] = parts
    const iv = Buffer.from(ivText ?? '', 'base64url')
    const tag = Buffer.from(tagText ?? '', 'base64url')
    // A short tag would make forgeries cheap: exactly 96-bit IVs and 128-bit tags.
    if (
      parts.length !== 4 ||
      version !== 'v1' ||
      ct === undefined ||
      iv.length !== 12 ||
      tag.length !== 16
    ) {
      throw new AppError('vault_locked', `sealed data for ${aad} is malformed`)
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: 16 })
      decipher.setAAD(Buffer.from(aad, 'utf8'))
      decipher.setAuthTag(tag)
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()])
    } catch (cause) {
      throw new AppError(
        'vault_locked',
        `cannot decrypt ${aad}: the wrapping key does not match this data directory`,
        { cause },
      )
    }
  }
}
