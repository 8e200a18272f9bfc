import { randomBytes } from 'node:crypto'
import { AppError } from '../shared/errors.js'
import type { AuditLog } from './ledger/audit-log.js'
import { integrityGuarded, integrityStore, type SettingsStore } from './app-settings.js'
import { SealedBox } from './secrets/sealed-box.js'
import {
  SECTION_NAMES,
  SettingsIntegrity,
  type IntegritySection,
} from './secrets/settings-integrity.js'
import {
  markSettingsTagged,
  openVault,
  type OpenedVault,
  type VaultChoice,
} from './secrets/vault.js'
import type { Keychain } from './platform/keychain.js'
import type { Logger } from './platform/logger.js'

/** The part of AppOptions that opening the vault and checking settings.json reads. */
export interface SecretsOptions {
  dataDir: string
  settings: SettingsStore
  keychain: Keychain
  log: Logger
  vaultChoice?: VaultChoice | undefined
  passphrase?: (() => Promise<string>) | undefined
  /**
   * Accept a change of the authenticated settings made outside this program (and an audit log
   * shorter than its anchor): re-tag them and record that in the audit log.
   */
  acceptSettingsChange?: boolean | undefined
}

/** What app.ts builds every service on: the vault, and settings.json once it is trusted. */
export interface AppSecrets {
  readonly vault: OpenedVault
  readonly integrity: SettingsIntegrity
  /** settings.json, re-tagged on every write of an authenticated section. */
  readonly settings: SettingsStore
  readonly sealer: SealedBox
  /** The client-secret pepper, sealed in settings.json. */
  readonly pepper: Buffer
  /**
   * Once the audit log is open: records the integrity decision taken at opening (a new tag, an
   * accepted change), or an accepted audit log that no longer reaches its anchor.
   */
  settleAudit(audit: AuditLog): void
}

/** Opens the vault and refuses settings.json changed behind our back, before anything reads it. */
export async function openAppSecrets(options: SecretsOptions): Promise<AppSecrets> {
  const { log } = options
  const vault = await openVault({
    config: options.settings.get('vault'),
    keychain: options.keychain,
    dataDir: options.dataDir,
    choice: options.vaultChoice,
    passphrase: options.passphrase,
  })
  if (vault.created) {
    options.settings.set('vault', vault.config)
    log.info('created the secret vault', { mode: vault.config.mode })
  }
  // Before anything trusts settings.json: refused here when it was changed behind our back.
  const integrity = new SettingsIntegrity(vault.key, integrityStore(options.settings), (err) =>
    options.log.error(
      'could not write the audit anchor to settings.json; retried on the next write',
      {
        error: (err as Error).message,
      },
    ),
  )
  const integrityAudit = settleIntegrity(options, vault, integrity)
  const settings = integrityGuarded(options.settings, integrity)
  const sealer = new SealedBox(vault.key)
  const pepper = loadPepper(settings, sealer)
  return {
    vault,
    integrity,
    settings,
    sealer,
    pepper,
    settleAudit(audit) {
      if (integrityAudit) {
        // Accepted or new: the log as it is now is what the anchor vouches for from here on.
        if (!integrity.auditAnchor()) integrity.anchorAudit(audit.head())
        audit.append(integrityAudit)
      } else if (options.acceptSettingsChange && !audit.anchorHolds()) {
        // The settings match, but the log no longer reaches its anchor: accepted too, recorded.
        const was = integrity.auditAnchor()
        integrity.anchorAudit(audit.head())
        audit.append({
          actor: 'cli',
          action: 'settings.change_accepted',
          subject: 'audit',
          details: { sections: [], auditAnchorWas: was ?? null },
        })
      }
    },
  }
}

/**
 * Decides what to do with settings.json's integrity tag: nothing when it matches; tag a new data
 * directory; tag an older one (the audit entry returned says so); refuse a change made outside
 * this program, naming what changed and the way back, unless the caller accepts it (audited).
 */
function settleIntegrity(
  options: SecretsOptions,
  vault: OpenedVault,
  integrity: SettingsIntegrity,
):
  { actor: string; action: string; subject: string; details: Record<string, unknown> } | undefined {
  const markVault = (): void => {
    if (!vault.settingsTagged) {
      options.settings.set('vault', markSettingsTagged(vault.config, vault.key))
    }
  }
  const check = integrity.check()
  if (check.state === 'ok') {
    markVault()
    return undefined
  }
  if (check.state === 'absent' && (vault.created || !vault.settingsTagged)) {
    integrity.seal(null)
    markVault()
    if (vault.created) return undefined
    options.log.info('tagged the settings for integrity (first start of this version)')
    return {
      actor: 'upgrade',
      action: 'settings.integrity_enabled',
      subject: 'settings',
      details: { sections: ['clients', 'trustedAuthorities', 'keys'] },
    }
  }
  const sections: IntegritySection[] = check.state === 'changed' ? check.sections : []
  const what =
    sections.length > 0
      ? `changed: ${sections.map((s) => SECTION_NAMES[s]).join(', ')}`
      : check.state === 'absent'
        ? 'its integrity record was removed'
        : 'its integrity record was edited, or belongs to another vault'
  if (options.acceptSettingsChange) {
    const was = integrity.auditAnchor() ?? null
    integrity.seal(null)
    markVault()
    options.log.warn('accepted a change of the settings made outside this program', { what })
    return {
      actor: 'cli',
      action: 'settings.change_accepted',
      subject: 'settings',
      details: { sections: sections.length > 0 ? sections : ['integrity'], auditAnchorWas: was },
    }
  }
  throw new AppError(
    'conflict',
    `${options.settings.path} was changed outside plgd-m2m-console (${what}). If you did not ` +
      'make this change, someone who can write that file may have added a client, an authority ' +
      'or a key: stop, and restore a backup of settings.json. If the change is yours, accept it ' +
      `once with \`plgd-m2m-console serve --accept-settings-change --data-dir ${options.dataDir}\`` +
      ' (recorded in the audit log).',
  )
}

function loadPepper(settings: SettingsStore, sealer: SealedBox): Buffer {
  const sealed = settings.get('pepperSealed')
  if (sealed) return sealer.open(sealed, 'client-secret-pepper')
  const pepper = randomBytes(32)
  settings.set('pepperSealed', sealer.seal(pepper, 'client-secret-pepper'))
  return pepper
}
