import { z } from 'zod'

/** The backup passphrase: long enough that the memory-hard KDF is not the only defence. */
export const BACKUP_PASSPHRASE_MIN = 12
export const backupPassphrase = z
  .string()
  .min(
    BACKUP_PASSPHRASE_MIN,
    `a backup passphrase needs at least ${BACKUP_PASSPHRASE_MIN} characters`,
  )
  .max(1024)

export const createBackupInput = z.object({ passphrase: backupPassphrase })

/** What a backup holds, counted (never the secrets themselves). */
export interface BackupSummary {
  formatVersion: number
  createdAt: number
  clients: number
  keys: number
  hubs: number
  tokens: number
  auditEntries: number
}

export interface CreatedBackup {
  /** A suggested file name: plgd-m2m-console-<date>.backup */
  filename: string
  /** The encrypted file, base64: useless without the passphrase. */
  dataBase64: string
  bytes: number
  summary: BackupSummary
}

/**
 * Restore is not a method of a running console: it makes a new data directory (the CLI's
 * `backup restore FILE --data-dir DIR`, before the first start on the new machine).
 */
export const backupMethods = {
  'backup.create': { input: createBackupInput, output: {} as CreatedBackup },
} as const
