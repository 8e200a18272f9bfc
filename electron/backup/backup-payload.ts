import { z } from 'zod'
import type { BackupSummary } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import { BACKUP_FORMAT_VERSION } from './backup-file.js'

/**
 * What a backup holds once decrypted: the data directory as it was (settings.json's text and an
 * image of the records database) and the wrapping key everything in it was sealed, tagged and
 * anchored with. Restoring these bytes unchanged is what keeps old secrets, tokens, the audit
 * chain and the settings' integrity tag valid.
 */
export interface BackupPayload {
  formatVersion: number
  createdAt: number
  productVersion: string
  summary: BackupSummary
  /** The 256-bit wrapping key, base64. */
  wrappingKey: string
  /** settings.json exactly as it was on disk. */
  settings: string
  /** The records database image (records-db.ts snapshotRecordsDb), base64. */
  records: string
}

const count = z.number().int().nonnegative()
const payloadSchema = z.object({
  formatVersion: z.number().int().positive(),
  createdAt: z.number().int().nonnegative(),
  productVersion: z.string(),
  summary: z.object({
    formatVersion: z.number().int().positive(),
    createdAt: count,
    clients: count,
    keys: count,
    hubs: count,
    tokens: count,
    auditEntries: count,
  }),
  wrappingKey: z.string(),
  settings: z.string(),
  records: z.string(),
})

export function encodePayload(payload: BackupPayload): Buffer {
  return Buffer.from(JSON.stringify(payload), 'utf8')
}

/** The decrypted payload, checked for shape; what it means is checked by the restore. */
export function decodePayload(bytes: Buffer): BackupPayload {
  let parsed: unknown
  try {
    parsed = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw unreadable('its contents are not JSON')
  }
  const result = payloadSchema.safeParse(parsed)
  if (!result.success) throw unreadable('its contents lack a part of the console')
  if (result.data.formatVersion > BACKUP_FORMAT_VERSION) {
    throw unreadable(`its contents are in a newer format (${result.data.formatVersion})`)
  }
  return result.data
}

/** Authenticated yet wrong: written by a faulty program, not changed in transit. */
export function unreadable(what: string): AppError {
  return new AppError(
    'invalid_input',
    `the backup cannot be restored (${what}): nothing was restored; create a new backup with ` +
      '`backup create` on the source machine',
  )
}

/** `plgd-m2m-console-2026-12-02.backup`: the day it was made, in UTC. */
export function backupFilename(createdAt: number): string {
  return `plgd-m2m-console-${new Date(createdAt * 1000).toISOString().slice(0, 10)}.backup`
}
