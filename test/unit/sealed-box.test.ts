// @vitest-environment node
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../shared/errors.js'
import { SealedBox } from '../../electron/secrets/sealed-box.js'

const KEY = randomBytes(32)
const box = new SealedBox(KEY)
const AAD = 'signing-key:abc'
const SECRET = Buffer.from('-----BEGIN PRIVATE KEY----- not really')

function parts(sealed: string): Buffer[] {
  return sealed
    .split('.')
    .slice(1)
    .map((p) => Buffer.from(p, 'base64url'))
}

function join(version: string, [iv, ct, tag]: Buffer[]): string {
  return [version, ...[iv, ct, tag].map((b) => (b ?? Buffer.alloc(0)).toString('base64url'))].join(
    '.',
  )
}

function flip(buf: Buffer | undefined, index: number): Buffer {
  const copy = Buffer.from(buf ?? Buffer.alloc(0))
  copy[index] = (copy[index] ?? 0) ^ 0x01
  return copy
}

function refusal(fn: () => unknown): AppError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error('expected an AppError, but the call returned')
}

describe('SealedBox', () => {
  it.each<[string, Buffer, string]>([
    ['a short secret', SECRET, AAD],
    ['an empty plaintext', Buffer.alloc(0), AAD],
    ['one byte', Buffer.from([0]), 'x'],
    ['64 KiB of random bytes', randomBytes(64 * 1024), 'client-secret-pepper'],
    ['an empty AAD', SECRET, ''],
    ['a non-ASCII AAD', SECRET, 'clé:ü'],
  ])('round-trips %s', (_name, plaintext, aad) => {
    const sealed = box.seal(plaintext, aad)
    expect(box.open(sealed, aad).equals(plaintext)).toBe(true)
    // Another box with the same key opens it too: nothing but the key is needed.
    expect(new SealedBox(Buffer.from(KEY)).open(sealed, aad).equals(plaintext)).toBe(true)
  })

  it('writes v1.<iv>.<ciphertext>.<tag> with a 96-bit IV and a 128-bit tag, fresh each time', () => {
    const a = box.seal(SECRET, AAD)
    const b = box.seal(SECRET, AAD)
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
    const [iv, ct, tag] = parts(a)
    expect(iv).toHaveLength(12)
    expect(ct).toHaveLength(SECRET.length)
    expect(tag).toHaveLength(16)
    expect(a).not.toBe(b)
    expect(parts(b)[0]?.equals(iv ?? Buffer.alloc(0))).toBe(false)
    expect(a).not.toContain(SECRET.toString('base64url'))
  })

  it.each<[string, (p: Buffer[]) => Buffer[]]>([
    ['the first IV byte', ([iv, ct, tag]) => [flip(iv, 0), ct!, tag!]],
    ['the first ciphertext byte', ([iv, ct, tag]) => [iv!, flip(ct, 0), tag!]],
    ['the last ciphertext byte', ([iv, ct, tag]) => [iv!, flip(ct, (ct?.length ?? 1) - 1), tag!]],
    ['the first tag byte', ([iv, ct, tag]) => [iv!, ct!, flip(tag, 0)]],
    ['the last tag byte', ([iv, ct, tag]) => [iv!, ct!, flip(tag, 15)]],
    ['a dropped ciphertext byte', ([iv, ct, tag]) => [iv!, ct!.subarray(1), tag!]],
    [
      'an appended ciphertext byte',
      ([iv, ct, tag]) => [iv!, Buffer.concat([ct!, Buffer.from([0])]), tag!],
    ],
  ])('refuses a blob with %s changed', (_name, tamper) => {
    const sealed = box.seal(SECRET, AAD)
    const err = refusal(() => box.open(join('v1', tamper(parts(sealed))), AAD))
    expect(err.code).toBe('vault_locked')
  })

  it.each<[string, () => Buffer]>([
    ['the wrong AAD', () => box.open(box.seal(SECRET, 'signing-key:a'), 'signing-key:b')],
    ['an AAD that differs in case', () => box.open(box.seal(SECRET, AAD), AAD.toUpperCase())],
    ['a blob sealed for the CA key', () => box.open(box.seal(SECRET, 'tls-ca-key'), AAD)],
    ['the wrong key', () => new SealedBox(randomBytes(32)).open(box.seal(SECRET, AAD), AAD)],
    [
      'a key differing in one bit',
      () => new SealedBox(flip(KEY, 31)).open(box.seal(SECRET, AAD), AAD),
    ],
  ])('refuses to open with %s', (_name, open) => {
    const err = refusal(open)
    expect(err.code).toBe('vault_locked')
    // The message names what could not be opened, never the plaintext.
    expect(err.message).not.toContain(SECRET.toString())
  })

  it.each<[string, string]>([
    ['an empty string', ''],
    ['another version', box.seal(SECRET, AAD).replace(/^v1/, 'v2')],
    ['a missing part', box.seal(SECRET, AAD).split('.').slice(0, 3).join('.')],
    ['plain base64', SECRET.toString('base64')],
  ])('refuses %s as malformed', (_name, sealed) => {
    const err = refusal(() => box.open(sealed, AAD))
    expect(err.code).toBe('vault_locked')
    expect(err.message).toMatch(/malformed/)
  })

  describe('refuses a well-formed box with a part of the wrong size or count', () => {
    const [v, iv, ct, tag] = box.seal(SECRET, AAD).split('.') as [string, string, string, string]
    const cut = (part: string, bytes: number) =>
      Buffer.from(part, 'base64url').subarray(0, bytes).toString('base64url')
    it.each([
      ['a truncated 4-byte tag', [v, iv, ct, cut(tag, 4)]],
      ['a truncated 12-byte tag', [v, iv, ct, cut(tag, 12)]],
      ['an extra part', [v, iv, ct, tag, 'junk']],
      ['a short IV', [v, cut(iv, 8), ct, tag]],
    ])('%s', (_name, sealedParts) => {
      const err = refusal(() => box.open(sealedParts.join('.'), AAD))
      expect(err.code).toBe('vault_locked')
      expect(err.message).toMatch(/malformed/)
    })
  })

  it.each([0, 16, 31, 33, 64])('refuses a wrapping key of %i bytes', (length) => {
    expect(() => new SealedBox(randomBytes(length))).toThrow(/32 bytes/)
  })
})
