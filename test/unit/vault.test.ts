// @vitest-environment node
import { createHmac, randomBytes, scryptSync } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { AppError, type ErrorCode } from '../../shared/errors.js'
import {
  KEYCHAIN_SERVICE,
  markSettingsTagged,
  openVault,
  type OpenedVault,
  type OpenVaultOptions,
  type VaultConfig,
} from '../../electron/secrets/vault.js'
import { DBUS_ERROR, FakeKeychain, type KeychainMode } from '../helpers/fakes.js'

const DATA_DIR = '/home/user/.config/plgd-m2m-console'
const PASSPHRASE = 'correct horse battery staple'

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error('expected an AppError, but the call resolved')
}

const open = (options: Partial<OpenVaultOptions> & { keychain: FakeKeychain }) =>
  openVault({ config: undefined, dataDir: DATA_DIR, ...options })

const passphrase = (value: string) => () => Promise.resolve(value)

/**
 * A passphrase vault as an earlier run would have written it, at a low scrypt cost so the
 * table stays fast; the key derivation and check value are computed here, independently.
 */
function lowCostVault(secret: string): { config: VaultConfig; key: Buffer } {
  const salt = randomBytes(16)
  const cost = { N: 2 ** 10, r: 8, p: 1 }
  const key = scryptSync(secret.normalize('NFC'), salt, 32, cost)
  const check = createHmac('sha256', key)
    .update('plgd-m2m-console vault check v1')
    .digest('base64url')
  return { config: { mode: 'passphrase', salt: salt.toString('base64url'), ...cost, check }, key }
}

describe('openVault: keychain mode', () => {
  it('creates a 256-bit key, keeps it in the keychain and reopens with the same key', async () => {
    const keychain = new FakeKeychain()
    const created = await open({ keychain })
    expect(created.created).toBe(true)
    expect(created.key).toHaveLength(32)
    expect(created.config).toMatchObject({ mode: 'keychain', account: `wrapping-key:${DATA_DIR}` })
    // The settings file gets the account and a check value, never the key.
    expect(JSON.stringify(created.config)).not.toContain(created.key.toString('base64'))
    expect(JSON.stringify(created.config)).not.toContain(created.key.toString('base64url'))
    expect([...keychain.entries.values()]).toEqual([created.key.toString('base64')])

    const setsBefore = keychain.calls.filter((c) => c.startsWith('set')).length
    const reopened = await open({ keychain, config: created.config })
    expect(reopened.created).toBe(false)
    expect(reopened.key.equals(created.key)).toBe(true)
    expect(reopened.config).toEqual(created.config)
    expect(keychain.calls.filter((c) => c.startsWith('set'))).toHaveLength(setsBefore)
    expect(keychain.calls.at(-1)).toBe(`get ${KEYCHAIN_SERVICE} wrapping-key:${DATA_DIR}`)
  })

  it('gives every data directory its own entry and key', async () => {
    const keychain = new FakeKeychain()
    const a = await open({ keychain, dataDir: '/data/a' })
    const b = await open({ keychain, dataDir: '/data/b' })
    expect(keychain.entries.size).toBe(2)
    expect(a.key.equals(b.key)).toBe(false)
    // b's entry does not open a's vault.
    const swapped = { ...a.config, account: (b.config as { account: string }).account }
    const err = await refusal(open({ keychain, dataDir: '/data/a', config: swapped }))
    expect(err.code).toBe('vault_locked')
  })

  it.each<[string, (k: FakeKeychain) => void, KeychainMode, ErrorCode, RegExp]>([
    ['a deleted entry', (k) => k.entries.clear(), 'available', 'vault_locked', /no wrapping key/],
    ['a locked keychain', () => undefined, 'locked', 'vault_locked', /may be locked/],
    [
      'an entry holding another key',
      (k) => {
        for (const key of k.entries.keys()) k.entries.set(key, randomBytes(32).toString('base64'))
      },
      'available',
      'vault_locked',
      /does not belong/,
    ],
    [
      'an unreachable keychain (no D-Bus)',
      () => undefined,
      'unreachable',
      'keychain_unavailable',
      /D-Bus/,
    ],
  ])('on reopen, %s → %s and never a new key', async (_name, damage, mode, code, message) => {
    const keychain = new FakeKeychain()
    const { config } = await open({ keychain })
    damage(keychain)
    keychain.mode = mode
    const entriesBefore = new Map(keychain.entries)
    keychain.calls.length = 0
    const err = await refusal(open({ keychain, config, choice: 'keychain' }))
    expect(err.code).toBe(code)
    expect(err.message).toMatch(message)
    expect(keychain.calls.filter((c) => !c.startsWith('get'))).toEqual([])
    expect(keychain.entries).toEqual(entriesBefore)
  })

  it.each<[KeychainMode, RegExp]>([
    ['locked', /did not keep the entry \(is it locked\?\)/],
    ['unreachable', new RegExp(DBUS_ERROR.replace(/[$]/g, '\\$'))],
  ])(
    'at creation, a %s keychain → keychain_unavailable pointing to --vault passphrase',
    async (mode, reason) => {
      const keychain = new FakeKeychain(mode)
      const err = await refusal(open({ keychain }))
      expect(err.code).toBe('keychain_unavailable')
      expect(err.message).toMatch(reason)
      expect(err.message).toContain('--vault passphrase')
      expect(err.expose).toBe(true)
      expect(keychain.entries.size).toBe(0)
    },
  )
})

describe('openVault: passphrase mode', () => {
  // scrypt at the production cost takes ~100 ms: one vault serves the whole table.
  let created: { vault: OpenedVault; keychain: FakeKeychain }
  beforeAll(async () => {
    const keychain = new FakeKeychain('unreachable')
    const vault = await open({ keychain, choice: 'passphrase', passphrase: passphrase(PASSPHRASE) })
    created = { vault, keychain }
  })

  it('creates a key from the passphrase without touching the keychain', async () => {
    const { vault, keychain } = created
    expect(vault.created).toBe(true)
    expect(vault.key).toHaveLength(32)
    expect(keychain.calls).toEqual([])
    const config = vault.config as Extract<VaultConfig, { mode: 'passphrase' }>
    expect(config.mode).toBe('passphrase')
    expect(Buffer.from(config.salt, 'base64url')).toHaveLength(16)
    expect(config.N).toBeGreaterThanOrEqual(2 ** 15)
    expect(JSON.stringify(config)).not.toContain(PASSPHRASE)
    expect(JSON.stringify(config)).not.toContain(vault.key.toString('base64url'))
  })

  it.each<[string, string, ErrorCode | undefined]>([
    ['the right passphrase', PASSPHRASE, undefined],
    ['a wrong passphrase', 'correct horse battery stapler', 'vault_locked'],
    ['a too short passphrase', 'short', 'invalid_input'],
  ])('reopens the vault it created with %s', async (_name, given, code) => {
    const { vault } = created
    const run = open({
      keychain: new FakeKeychain('unreachable'),
      config: vault.config,
      passphrase: passphrase(given),
    })
    if (code === undefined) {
      const reopened = await run
      expect(reopened.created).toBe(false)
      expect(reopened.key.equals(vault.key)).toBe(true)
    } else {
      const err = await refusal(run)
      expect(err.code).toBe(code)
      if (code === 'vault_locked') expect(err.message).toBe('wrong vault passphrase')
    }
  })

  it.each<[string, string, string, ErrorCode | undefined]>([
    // [case, passphrase at creation, passphrase at reopen, error]
    ['the same passphrase', PASSPHRASE, PASSPHRASE, undefined],
    ['another case', PASSPHRASE, PASSPHRASE.toUpperCase(), 'vault_locked'],
    ['a trailing space', PASSPHRASE, `${PASSPHRASE} `, 'vault_locked'],
    [
      'another Unicode normal form (NFD)',
      'pässwörd-été',
      'pässwörd-été'.normalize('NFD'),
      undefined,
    ],
    ['exactly 8 characters', '12345678', '12345678', undefined],
    ['7 characters', '1234567', '1234567', 'invalid_input'],
  ])('reopens a stored vault (its own scrypt cost) with %s', async (_name, at, given, code) => {
    const stored = lowCostVault(at)
    const run = open({
      keychain: new FakeKeychain(),
      config: stored.config,
      passphrase: passphrase(given),
    })
    if (code === undefined) expect((await run).key.equals(stored.key)).toBe(true)
    else expect((await refusal(run)).code).toBe(code)
  })

  it.each<[string, Partial<Omit<OpenVaultOptions, 'keychain'>>, ErrorCode, RegExp]>([
    [
      'creation without a passphrase source',
      { choice: 'passphrase' },
      'vault_passphrase_required',
      /passphrase/,
    ],
    [
      'creation with a 7-character passphrase',
      { choice: 'passphrase', passphrase: passphrase('1234567') },
      'invalid_input',
      /at least 8 characters/,
    ],
    [
      'creation with an empty passphrase',
      { choice: 'passphrase', passphrase: passphrase('') },
      'invalid_input',
      /at least 8 characters/,
    ],
  ])('refuses %s', async (_name, options, code, message) => {
    const keychain = new FakeKeychain()
    const err = await refusal(open({ keychain, ...options }))
    expect(err.code).toBe(code)
    expect(err.message).toMatch(message)
    expect(keychain.calls).toEqual([])
  })

  it('refuses to reopen a passphrase vault without a passphrase source', async () => {
    const { vault } = created
    const keychain = new FakeKeychain()
    const err = await refusal(open({ keychain, config: vault.config, choice: 'keychain' }))
    expect(err.code).toBe('vault_passphrase_required')
    expect(keychain.calls).toEqual([])
  })
})

// Issue 16: the check value also says whether settings.json carries an integrity tag, so that
// stripping the tag cannot pass for a data directory written before tags existed.
describe('openVault: the settings-tagged mark', () => {
  it('is set on a new vault, absent from an older one until marked, and needs the key', async () => {
    const keychain = new FakeKeychain()
    const created = await open({
      keychain,
      choice: 'passphrase',
      passphrase: passphrase(PASSPHRASE),
    })
    expect(created.settingsTagged).toBe(true)
    const reopened = await open({
      keychain,
      config: created.config,
      passphrase: passphrase(PASSPHRASE),
    })
    expect(reopened.settingsTagged).toBe(true)

    const older = lowCostVault(PASSPHRASE)
    const before = await open({
      keychain,
      config: older.config,
      passphrase: passphrase(PASSPHRASE),
    })
    expect(before.settingsTagged).toBe(false)
    const marked = markSettingsTagged(older.config, older.key)
    expect(marked.check).not.toBe(older.config.check)
    const after = await open({ keychain, config: marked, passphrase: passphrase(PASSPHRASE) })
    expect(after.settingsTagged).toBe(true)
    // Marked with another key: not this vault's check at all.
    const forged = markSettingsTagged(older.config, randomBytes(32))
    const err = await refusal(
      open({ keychain, config: forged, passphrase: passphrase(PASSPHRASE) }),
    )
    expect(err.code).toBe('vault_locked')
  })
})
