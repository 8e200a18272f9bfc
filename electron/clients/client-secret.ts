import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** 256 random bits: strong enough that a keyed hash needs no slow KDF (toolchain notes). */
export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url')
}

export function hashClientSecret(pepper: Buffer, secret: string): Buffer {
  return createHmac('sha256', pepper).update(secret, 'utf8').digest()
}

/** Constant-time comparison of a presented secret's hash with a stored one. */
export function hashesEqual(presented: Buffer, storedBase64url: string): boolean {
  const stored = Buffer.from(storedBase64url, 'base64url')
  return stored.length === presented.length && timingSafeEqual(stored, presented)
}
