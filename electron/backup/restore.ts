import { randomBytes } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import type { BackupSummary } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import type { App } from '../app.js'
import { integrityStore, type SettingsData, type SettingsStore } from '../app-settings.js'
import { AuditLog } from '../ledger/audit-log.js'
import type { Keychain } from '../platform/keychain.js'
import { openRecordsImage, RECORDS_DB_FILE } from '../platform/records-db.js'
import { SealedBox } from '../secrets/sealed-box.js'
import { SettingsIntegrity } from '../secrets/settings-integrity.js'
import {
  KEYCHAIN_SERVICE,
  markSettingsTagged,
  type VaultChoice,
  type VaultConfig,
} from '../secrets/vault.js'
import { openBackup } from './backup-file.js'
import { decodePayload, unreadable, type BackupPayload } from './backup-payload.js'

export const SETTINGS_FILE = 'settings.json'

export interface RestoreOptions {
  /** The backup file's bytes. */
  file: Buffer
  /** Asked only once the target directory is known to be free (a prompt would be wasted). */
  passphrase(): Promise<string>
  /** The new data directory: absent, or empty. */
  dataDir: string
  keychain: Keychain
  /** `--vault`: keychain by default; passphrase only for a backup of a passphrase vault. */
  vault?: VaultChoice | undefined
  /**
   * Opens the restored directory through the composition root (openApp), which checks it once
   * more and lets the restore append its audit entry. Called on the staging directory.
   */
  openApp(dataDir: string): Promise<App>
  actor?: string
}

export interface RestoreResult {
  dataDir: string
  vault: VaultConfig['mode']
  /** What the backup held, as counted when it was made. */
  summary: BackupSummary
  createdAt: number
  productVersion: string
  /** Entries in the restored audit log, `backup.restored` included. */
  auditEntries: number
}

/** Where a data directory's wrapping key lives in the keychain (vault.ts names it the same). */
export function keychainAccount(dataDir: string): string {
  return `wrapping-key:${dataDir}`
}

/**
 * Restores a backup into a new data directory. Everything is decrypted and checked first (the
 * key against the vault check, the settings' integrity tag, the records database, the audit
 * chain against its anchor); nothing is written before. Then the files go to a staging
 * directory beside the target, the wrapping key into this machine's keychain under the new
 * directory's account, the app opens once there to record `backup.restored`, and one rename
 * puts the directory in place. A failure on the way removes the staging directory and the
 * keychain entry.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const dataDir = resolve(options.dataDir)
  refuseOccupied(dataDir)
  const payload = decodePayload(await openBackup(options.file, await options.passphrase()))
  const checked = checkPayload(payload)
  const vault = targetVault(checked.vault, dataDir, options.vault)

  mkdirSync(dirname(dataDir), { recursive: true, mode: 0o700 })
  const staging = join(
    dirname(dataDir),
    `.${basename(dataDir)}.restoring-${randomBytes(4).toString('hex')}`,
  )
  let keyStored = false
  try {
    mkdirSync(staging, { mode: 0o700 })
    // The kept issuer bundle's directory is a path on the old machine: the new one starts without
    // it (`export bundle --out DIR` there again), rather than writing into a path it never chose.
    const settings = { ...checked.settings, vault, issuerBundle: null }
    writeFileSync(join(staging, SETTINGS_FILE), JSON.stringify(settings, null, '\t'), {
      mode: 0o600,
      flag: 'wx',
    })
    writeFileSync(join(staging, RECORDS_DB_FILE), checked.records, { mode: 0o600, flag: 'wx' })
    if (vault.mode === 'keychain') {
      await storeKey(options.keychain, vault.account, checked.key)
      keyStored = true
    }
    const app = await options.openApp(staging)
    let auditEntries: number
    try {
      const entry = app.audit.append({
        actor: options.actor ?? 'cli',
        action: 'backup.restored',
        subject: 'backup',
        details: {
          backupCreatedAt: payload.createdAt,
          fromVersion: payload.productVersion,
          vault: vault.mode,
          clients: payload.summary.clients,
          keys: payload.summary.keys,
          tokens: payload.summary.tokens,
        },
      })
      auditEntries = entry.seq
    } finally {
      await app.close()
    }
    refuseOccupied(dataDir)
    // An empty target goes first: Windows renames no directory over another, even an empty one.
    if (existsSync(dataDir)) rmdirSync(dataDir)
    renameSync(staging, dataDir)
    return {
      dataDir,
      vault: vault.mode,
      summary: payload.summary,
      createdAt: payload.createdAt,
      productVersion: payload.productVersion,
      auditEntries,
    }
  } catch (err) {
    rmSync(staging, { recursive: true, force: true })
    if (keyStored) {
      // The cause of the failure matters more than a keychain that cannot be written now.
      await options.keychain
        .delete(KEYCHAIN_SERVICE, keychainAccount(dataDir))
        .catch(() => undefined)
    }
    throw err
  } finally {
    checked.key.fill(0)
  }
}

/** A directory that holds anything is refused: a restore never merges into or replaces a console. */
function refuseOccupied(dataDir: string): void {
  if (!existsSync(dataDir)) return
  if (!statSync(dataDir).isDirectory()) {
    throw new AppError(
      'already_exists',
      `${dataDir} is a file: give a new directory with --data-dir`,
    )
  }
  const held = readdirSync(dataDir)
  if (held.length === 0) return
  const console = held.includes(SETTINGS_FILE) || held.includes(RECORDS_DB_FILE)
  throw new AppError(
    'already_exists',
    console
      ? `${dataDir} already holds a console (${held.includes(SETTINGS_FILE) ? SETTINGS_FILE : RECORDS_DB_FILE}): ` +
          'a restore never replaces one; give a new directory with --data-dir, or move that one away first'
      : `${dataDir} is not empty: give a new or empty directory with --data-dir`,
  )
}

interface CheckedPayload {
  key: Buffer
  vault: VaultConfig
  settings: SettingsData
  records: Buffer
}

/** Everything a restore relies on, proven before a byte is written. */
function checkPayload(payload: BackupPayload): CheckedPayload {
  const key = Buffer.from(payload.wrappingKey, 'base64')
  if (key.length !== 32) throw unreadable('its wrapping key is not 256 bits')
  let settings: SettingsData
  try {
    settings = JSON.parse(payload.settings) as SettingsData
  } catch {
    throw unreadable('its settings.json is not JSON')
  }
  const vault = settings?.vault
  if (!vault || markSettingsTagged(vault, key).check !== vault.check) {
    throw unreadable('its wrapping key does not match its settings')
  }
  if (settings.pepperSealed) new SealedBox(key).open(settings.pepperSealed, 'client-secret-pepper')
  const integrity = new SettingsIntegrity(key, integrityStore(memoryStore(settings)))
  if (integrity.check().state !== 'ok') {
    throw unreadable('its settings do not match their integrity tag')
  }
  const records = Buffer.from(payload.records, 'base64')
  let db
  try {
    db = openRecordsImage(records)
  } catch (err) {
    if (err instanceof AppError) throw err
    throw unreadable(`its records database does not open: ${(err as Error).message}`)
  }
  try {
    const audit = new AuditLog(db, () => 0, {
      load: () => integrity.auditAnchor(),
      save: () => undefined,
    })
    const verified = audit.verify()
    if (!verified.ok) throw unreadable(`its audit log breaks at entry ${verified.brokenAt}`)
  } finally {
    db.close()
  }
  return { key, vault, settings, records }
}

/** The restored settings read in memory, for the integrity check. */
function memoryStore(data: SettingsData): SettingsStore {
  return {
    path: SETTINGS_FILE,
    get: (key) => data[key],
    set: () => {
      throw new Error('a backup being checked is read-only')
    },
  }
}

/**
 * The vault of the restored directory. The key is the same, so the vault check stays valid: a
 * keychain vault only moves to this machine's keychain under the new directory's account. A
 * passphrase vault is kept as it is (the same vault passphrase opens it) when asked for; a
 * keychain backup cannot become a passphrase vault without re-sealing every secret.
 */
function targetVault(
  source: VaultConfig,
  dataDir: string,
  choice: VaultChoice | undefined,
): VaultConfig {
  if (choice === 'passphrase') {
    if (source.mode !== 'passphrase') {
      throw new AppError(
        'invalid_input',
        'this backup comes from a console that kept its key in the OS keychain; it can only be ' +
          'restored into a keychain (a passphrase vault would need every secret sealed again): ' +
          'run the restore without --vault passphrase',
      )
    }
    return source
  }
  return { mode: 'keychain', account: keychainAccount(dataDir), check: source.check }
}

async function storeKey(keychain: Keychain, account: string, key: Buffer): Promise<void> {
  const value = key.toString('base64')
  try {
    await keychain.set(KEYCHAIN_SERVICE, account, value)
    // A locked collection accepts nothing yet reports no error: read back to be sure.
    if ((await keychain.get(KEYCHAIN_SERVICE, account)) !== value) {
      throw new AppError(
        'keychain_unavailable',
        'the OS keychain did not keep the entry (is it locked?)',
      )
    }
  } catch (cause) {
    if (cause instanceof AppError) {
      throw new AppError(
        cause.code,
        `${cause.message}: nothing was restored; unlock the keychain, or restore a backup of a ` +
          'passphrase vault with --vault passphrase',
        { cause },
      )
    }
    throw cause
  }
}
