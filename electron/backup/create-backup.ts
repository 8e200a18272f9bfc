import { readFileSync } from 'node:fs'
import type { BackupSummary, CreatedBackup } from '../../shared/contract/index.js'
import type { App } from '../app.js'
import { packageVersion } from '../platform/install-paths.js'
import { snapshotRecordsDb } from '../platform/records-db.js'
import { BACKUP_FORMAT_VERSION, sealBackup, type ScryptCost } from './backup-file.js'
import { backupFilename, encodePayload } from './backup-payload.js'

export interface CreateBackupOptions {
  app: App
  passphrase: string
  /** Appends the `backup.created` entry (the caller knows who acts). */
  audit(details: Record<string, unknown>): void
  /** Tests lower it; a real backup uses the default. */
  cost?: ScryptCost
}

/**
 * Encrypts the whole console into one file: the audit entry first (so the restored log shows
 * the backup it came from), then, in one turn of the event loop, settings.json, an image of the
 * records database and the wrapping key, so no write can fall between them.
 */
export async function createBackup(options: CreateBackupOptions): Promise<CreatedBackup> {
  const { app } = options
  const createdAt = app.nowSeconds()
  app.ledger.flush()
  const settings = app.settings
  const counts = {
    clients: Object.keys(settings.get('clients') ?? {}).length,
    keys: (settings.get('keys') ?? []).length,
    hubs: Object.keys(settings.get('hubs') ?? {}).length,
    tokens: app.ledger.stats(createdAt).tokens,
  }
  options.audit({ formatVersion: BACKUP_FORMAT_VERSION, ...counts })
  // The entry's anchor reaches settings.json on the next turn (settings-integrity.ts): after it.
  await new Promise((resolve) => setImmediate(resolve))
  app.ledger.flush()
  const summary: BackupSummary = {
    formatVersion: BACKUP_FORMAT_VERSION,
    createdAt,
    ...counts,
    auditEntries: app.audit.head().count,
  }
  const payload = encodePayload({
    formatVersion: BACKUP_FORMAT_VERSION,
    createdAt,
    productVersion: packageVersion(),
    summary,
    wrappingKey: app.wrappingKey().toString('base64'),
    settings: readFileSync(settings.path, 'utf8'),
    records: snapshotRecordsDb(app.dataDir).toString('base64'),
  })
  const file = await sealBackup(payload, options.passphrase, options.cost)
  payload.fill(0)
  return {
    filename: backupFilename(createdAt),
    dataBase64: file.toString('base64'),
    bytes: file.length,
    summary,
  }
}
