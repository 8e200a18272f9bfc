import { createHash } from 'node:crypto'
import type { ClientView } from '../../shared/contract/index.js'

export interface StoredSecret {
  /** HMAC-SHA-256 of the secret under the data directory's pepper; the secret itself is never kept. */
  hash: string
  createdAt: number
  /** Set when a newer secret replaced it: it keeps working until then. */
  expiresAt: number | null
}

export interface ClientRecord extends Omit<ClientView, 'secrets'> {
  secrets: StoredSecret[]
}

export function toClientView(record: ClientRecord, nowSeconds: number): ClientView {
  const { secrets, ...rest } = record
  return {
    ...rest,
    secrets: secrets
      .filter((s) => s.expiresAt === null || s.expiresAt > nowSeconds)
      .map(({ hash, createdAt, expiresAt }) => ({
        createdAt,
        expiresAt,
        fingerprint: secretFingerprint(hash),
      })),
  }
}

/**
 * Tells a client's secrets apart in the console and the CLI. A digest of the stored keyed hash
 * (never of the secret): without the data directory's pepper it says nothing about the secret.
 */
export function secretFingerprint(storedHash: string): string {
  return createHash('sha256').update(storedHash, 'utf8').digest('hex').slice(0, 8)
}
