import type { VaultMode } from '../../shared/enums.js'
import { createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { AppError } from '../../shared/errors.js'
import type { Keychain } from '../platform/keychain.js'

const scrypt = promisify(scryptCb) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>

export const KEYCHAIN_SERVICE = 'plgd-m2m-console'
/** scrypt cost: ~100 ms and 32 MiB here; stored with the vault so it can be raised later. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1 }

/** The vault a new data directory is created with. */
export type VaultChoice = VaultMode
export type VaultConfig =
  | { mode: 'keychain'; account: string; check: string }
  | { mode: 'passphrase'; salt: string; N: number; r: number; p: number; check: string }

export interface OpenVaultOptions {
  config: VaultConfig | undefined
  keychain: Keychain
  dataDir: string
  /** Only consulted when the data directory has no vault yet. */
  choice?: VaultChoice | undefined
  passphrase?: (() => Promise<string>) | undefined
}

export interface OpenedVault {
  key: Buffer
  config: VaultConfig
  created: boolean
  /**
   * Whether this vault's settings carry an integrity tag (settings-integrity.ts): then a
   * settings.json without one was stripped of it, not written by a version before tags.
   */
  settingsTagged: boolean
}

/**
 * A MAC of a fixed label: proves a key is this directory's key without storing the key. Version
 * 2 also says "the settings are tagged": without the key nobody can turn it back into version
 * 1, so removing the tag from settings.json cannot pass for an old data directory.
 */
const CHECK_LABELS = {
  1: 'plgd-m2m-console vault check v1',
  2: 'plgd-m2m-console vault check v2 (settings tagged)',
} as const

function checkValue(key: Buffer, version: 1 | 2 = 2): string {
  return createHmac('sha256', key).update(CHECK_LABELS[version]).digest('base64url')
}

/** The vault config once its settings are tagged (an upgrade of an older data directory). */
export function markSettingsTagged(config: VaultConfig, key: Buffer): VaultConfig {
  return { ...config, check: checkValue(key, 2) }
}

function verifyCheck(
  key: Buffer,
  config: VaultConfig,
  wrong: string,
): { key: Buffer; settingsTagged: boolean } {
  const expected = Buffer.from(config.check, 'base64url')
  for (const version of [2, 1] as const) {
    const actual = Buffer.from(checkValue(key, version), 'base64url')
    if (expected.length === actual.length && timingSafeEqual(expected, actual)) {
      return { key, settingsTagged: version === 2 }
    }
  }
  throw new AppError('vault_locked', wrong)
}

async function deriveFromPassphrase(
  passphrase: string,
  salt: Buffer,
  cost: { N: number; r: number; p: number },
): Promise<Buffer> {
  if (passphrase.length < 8) {
    throw new AppError('invalid_input', 'the vault passphrase must be at least 8 characters')
  }
  return scrypt(passphrase.normalize('NFC'), salt, 32, { ...cost, maxmem: 256 * cost.N * cost.r })
}

async function requirePassphrase(options: OpenVaultOptions): Promise<string> {
  if (!options.passphrase) {
    throw new AppError(
      'vault_passphrase_required',
      'this data directory keeps its secrets under a passphrase: give --vault-passphrase-file, ' +
        'set PLGD_M2M_VAULT_PASSPHRASE, or run from a terminal to be asked',
    )
  }
  return options.passphrase()
}

/**
 * Gets the data directory's 256-bit wrapping key: from the OS keychain (one entry per data
 * directory), or derived from a passphrase when the user chose that explicitly. A missing or
 * locked keychain is an error, never a reason to fall back to anything weaker.
 */
export async function openVault(options: OpenVaultOptions): Promise<OpenedVault> {
  const { config, keychain } = options
  if (config?.mode === 'keychain') {
    const stored = await keychain.get(KEYCHAIN_SERVICE, config.account)
    if (stored === null) {
      throw new AppError(
        'vault_locked',
        `the OS keychain has no wrapping key for ${options.dataDir}: the keychain may be locked, ` +
          'or its entry was deleted (without it the stored keys cannot be read)',
      )
    }
    const checked = verifyCheck(
      Buffer.from(stored, 'base64'),
      config,
      `the keychain entry ${config.account} does not belong to this data directory`,
    )
    return { ...checked, config, created: false }
  }
  if (config?.mode === 'passphrase') {
    const key = await deriveFromPassphrase(
      await requirePassphrase(options),
      Buffer.from(config.salt, 'base64url'),
      config,
    )
    return { ...verifyCheck(key, config, 'wrong vault passphrase'), config, created: false }
  }
  return createVault(options)
}

async function createVault(options: OpenVaultOptions): Promise<OpenedVault> {
  if (options.choice === 'passphrase') {
    const salt = randomBytes(16)
    const key = await deriveFromPassphrase(await requirePassphrase(options), salt, SCRYPT)
    const config: VaultConfig = {
      mode: 'passphrase',
      salt: salt.toString('base64url'),
      ...SCRYPT,
      check: checkValue(key),
    }
    return { key, config, created: true, settingsTagged: true }
  }
  const account = `wrapping-key:${options.dataDir}`
  const key = randomBytes(32)
  try {
    await options.keychain.set(KEYCHAIN_SERVICE, account, key.toString('base64'))
    // A locked collection accepts nothing yet reports no error: read back to be sure.
    const readBack = await options.keychain.get(KEYCHAIN_SERVICE, account)
    if (readBack !== key.toString('base64')) {
      throw new AppError(
        'keychain_unavailable',
        'the OS keychain did not keep the entry (is it locked?)',
      )
    }
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    throw new AppError(
      'keychain_unavailable',
      `${reason}. Secrets are never stored in plaintext: unlock the keychain, or start once with ` +
        '--vault passphrase to keep them under a passphrase instead',
      { cause },
    )
  }
  return {
    key,
    config: { mode: 'keychain', account, check: checkValue(key) },
    created: true,
    settingsTagged: true,
  }
}
