// @vitest-environment node
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openApp, type App } from '../../electron/app.js'
import { openHeadlessSettings } from '../../electron/app-settings.js'
import { headerBytes, MAGIC, readHeader } from '../../electron/backup/backup-file.js'
import { createBackup } from '../../electron/backup/create-backup.js'
import {
  restoreBackup,
  type RestoreOptions,
  type RestoreResult,
} from '../../electron/backup/restore.js'
import { KEYCHAIN_SERVICE } from '../../electron/secrets/vault.js'
import type { CreatedBackup } from '../../shared/contract/index.js'
import { FakeKeychain, recordingLogger } from '../helpers/fakes.js'

/**
 * Restore (issue 15 item 5) into a new data directory with another keychain: the old secret
 * still authenticates, an old token's record and key are there, the audit chain verifies. A
 * wrong passphrase or a damaged file writes nothing: no directory, no keychain entry.
 */

const FAST = { N: 2 ** 10, r: 8, p: 1 }
const PASS = 'a long backup passphrase'

let root: string
let sourceDir: string
let backup: CreatedBackup
let file: Buffer
let secret: string
let jti: string
let sourceJwks: string
let sourceKeys: number

const open = (dataDir: string, keychain: FakeKeychain): Promise<App> =>
  openApp({ dataDir, settings: openHeadlessSettings(dataDir), keychain, log: recordingLogger() })

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'plgd-m2m-backup-'))
  sourceDir = join(root, 'source')
  mkdirSync(sourceDir, { mode: 0o700 })
  const app = await open(sourceDir, new FakeKeychain())
  try {
    const added = app.clients.add({
      id: 'dps',
      owner: 'alice',
      auth: { method: 'client_secret' },
    } as Parameters<App['clients']['add']>[0])
    secret = added.clientSecret!
    jti = (await app.tokens.issueAsAdmin({ clientId: 'dps', audiences: [], scopes: [] })).jti
    await app.keys.rotate()
    sourceJwks = app.keys.jwksJson()
    sourceKeys = app.keys.list().length
    app.settings.set('issuerBundle', { dir: join(root, 'old-laptop-bundle') })
    backup = await createBackup({
      app,
      passphrase: PASS,
      cost: FAST,
      audit: (details) =>
        app.audit.append({ actor: 'test', action: 'backup.created', subject: 'backup', details }),
    })
  } finally {
    await app.close()
  }
  file = Buffer.from(backup.dataBase64, 'base64')
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

function restore(
  target: string,
  keychain: FakeKeychain,
  overrides: Partial<RestoreOptions> = {},
): Promise<RestoreResult> {
  return restoreBackup({
    file,
    passphrase: async () => PASS,
    dataDir: target,
    keychain,
    openApp: (dir) => open(dir, keychain),
    ...overrides,
  })
}

/** What a refused restore must leave: no target, no staging directory, no keychain entry. */
function expectNothingWritten(target: string, keychain: FakeKeychain): void {
  expect(existsSync(target)).toBe(false)
  expect(readdirSync(root).filter((n) => n.includes('restoring'))).toEqual([])
  expect(keychain.entries.size).toBe(0)
}

function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes)
  copy[at] = copy[at]! ^ 0x01
  return copy
}

describe('backup create', () => {
  it('counts what it holds, and names the file by its day', () => {
    expect(backup.summary).toMatchObject({
      formatVersion: 1,
      clients: 1,
      keys: sourceKeys,
      hubs: 0,
    })
    expect(sourceKeys).toBeGreaterThan(1)
    expect(backup.summary.tokens).toBe(1)
    expect(backup.summary.auditEntries).toBeGreaterThanOrEqual(1)
    expect(backup.filename).toMatch(/^plgd-m2m-console-\d{4}-\d{2}-\d{2}\.backup$/)
    expect(backup.bytes).toBe(file.length)
  })
})

describe('backup restore', () => {
  it('restores under another keychain: old secret, old token, keys and audit chain hold', async () => {
    const target = join(root, 'restored')
    const keychain = new FakeKeychain()
    const result = await restore(target, keychain)
    expect(result).toMatchObject({ dataDir: target, vault: 'keychain', summary: backup.summary })
    expect([...keychain.entries.keys()]).toEqual([
      `${KEYCHAIN_SERVICE}\u0000wrapping-key:${target}`,
    ])
    expect(statSync(target).mode & 0o777).toBe(0o700)
    expect(statSync(join(target, 'settings.json')).mode & 0o777).toBe(0o600)

    const app = await open(target, keychain)
    try {
      expect(app.clients.authenticate('dps', secret)?.id).toBe('dps')
      expect(app.clients.authenticate('dps', `${secret}x`)).toBeUndefined()
      expect(app.ledger.get(jti)).toMatchObject({ id: jti, owner: 'alice' })
      expect(app.keys.jwksJson()).toBe(sourceJwks)
      // A path on the old machine is not kept up to date from the new one.
      expect(app.settings.get('issuerBundle')).toBeNull()
      expect(app.audit.verify()).toEqual({ ok: true, entries: result.auditEntries })
      const actions = app.audit.list(0, 3).items.map((e) => e.action)
      expect(actions[0]).toBe('backup.restored')
      expect(actions).toContain('backup.created')
    } finally {
      await app.close()
    }
  })

  it('refuses a wrong passphrase and writes nothing', async () => {
    const target = join(root, 'wrong-pass')
    const keychain = new FakeKeychain()
    await expect(
      restore(target, keychain, { passphrase: async () => 'another passphrase' }),
    ).rejects.toThrow(/wrong backup passphrase/)
    expectNothingWritten(target, keychain)
  })

  it('refuses a truncated file and writes nothing', async () => {
    const target = join(root, 'truncated')
    const keychain = new FakeKeychain()
    await expect(
      restore(target, keychain, { file: file.subarray(0, file.length - 100) }),
    ).rejects.toThrow(/truncated/)
    expectNothingWritten(target, keychain)
  })

  it('refuses a flipped byte in the header and in the body and writes nothing', async () => {
    const target = join(root, 'flipped')
    const keychain = new FakeKeychain()
    const inHeader = MAGIC.length + 4 + 10
    await expect(restore(target, keychain, { file: flip(file, inHeader) })).rejects.toThrow(
      /header does not match its digest/,
    )
    await expect(restore(target, keychain, { file: flip(file, file.length - 40) })).rejects.toThrow(
      /contents do not authenticate/,
    )
    expectNothingWritten(target, keychain)
  })

  it('refuses a newer format version and writes nothing', async () => {
    const target = join(root, 'newer')
    const keychain = new FakeKeychain()
    const { header, body } = readHeader(file)
    const prefix = headerBytes({ ...header, version: header.version + 1 })
    const newer = Buffer.concat([prefix, createHash('sha256').update(prefix).digest(), body])
    await expect(restore(target, keychain, { file: newer })).rejects.toThrow(
      /by a newer plgd-m2m-console/,
    )
    expectNothingWritten(target, keychain)
  })

  it('refuses a directory that holds a console, or anything', async () => {
    const keychain = new FakeKeychain()
    // Refused before the passphrase is asked for.
    const passphrase = (): Promise<string> => Promise.reject(new Error('asked'))
    await expect(restore(sourceDir, keychain, { passphrase })).rejects.toThrow(
      /already holds a console \(settings\.json\).*--data-dir/,
    )
    const other = join(root, 'other')
    mkdirSync(other)
    writeFileSync(join(other, 'notes.txt'), 'mine')
    await expect(restore(other, keychain, { passphrase })).rejects.toThrow(/is not empty/)
    expect(readdirSync(other)).toEqual(['notes.txt'])
    expect(keychain.entries.size).toBe(0)
  })

  it('restores into an empty directory that exists', async () => {
    const target = join(root, 'empty')
    mkdirSync(target)
    const keychain = new FakeKeychain()
    await restore(target, keychain)
    expect(readdirSync(target).sort()).toEqual(['records.sqlite3', 'settings.json'])
  })

  it('refuses --vault passphrase for a keychain backup, before anything is written', async () => {
    const target = join(root, 'as-passphrase')
    const keychain = new FakeKeychain()
    await expect(restore(target, keychain, { vault: 'passphrase' })).rejects.toThrow(
      /without --vault passphrase/,
    )
    expectNothingWritten(target, keychain)
  })

  it('takes back the keychain entry and the staging directory when the last step fails', async () => {
    const target = join(root, 'open-fails')
    const keychain = new FakeKeychain()
    const openApp = () => Promise.reject(new Error('could not open'))
    await expect(restore(target, keychain, { openApp })).rejects.toThrow(/could not open/)
    expectNothingWritten(target, keychain)
  })
})

describe('a backup of a passphrase vault', () => {
  const VAULT_PASS = 'the old vault passphrase'
  let passFile: Buffer

  beforeAll(async () => {
    const dir = join(root, 'pass-source')
    mkdirSync(dir, { mode: 0o700 })
    const app = await openApp({
      dataDir: dir,
      settings: openHeadlessSettings(dir),
      keychain: new FakeKeychain('unreachable'),
      log: recordingLogger(),
      vaultChoice: 'passphrase',
      passphrase: async () => VAULT_PASS,
    })
    try {
      const created = await createBackup({ app, passphrase: PASS, cost: FAST, audit: () => {} })
      passFile = Buffer.from(created.dataBase64, 'base64')
    } finally {
      await app.close()
    }
  })

  it('is restored into this keychain by default: no vault passphrase needed any more', async () => {
    const target = join(root, 'pass-to-keychain')
    const keychain = new FakeKeychain()
    expect(await restore(target, keychain, { file: passFile })).toMatchObject({ vault: 'keychain' })
    const app = await open(target, keychain)
    expect(app.vault.mode).toBe('keychain')
    expect(app.audit.verify().ok).toBe(true)
    await app.close()
  })

  it('stays a passphrase vault with --vault passphrase, opened by its old vault passphrase', async () => {
    const target = join(root, 'pass-to-pass')
    const keychain = new FakeKeychain()
    const openWith = (passphrase: string) => (dir: string) =>
      openApp({
        dataDir: dir,
        settings: openHeadlessSettings(dir),
        keychain,
        log: recordingLogger(),
        passphrase: async () => passphrase,
      })
    await expect(
      restore(target, keychain, {
        file: passFile,
        vault: 'passphrase',
        openApp: openWith('not the vault passphrase'),
      }),
    ).rejects.toThrow(/wrong vault passphrase/)
    expectNothingWritten(target, keychain)
    const result = await restore(target, keychain, {
      file: passFile,
      vault: 'passphrase',
      openApp: openWith(VAULT_PASS),
    })
    expect(result.vault).toBe('passphrase')
    expect(keychain.entries.size).toBe(0)
    const app = await openWith(VAULT_PASS)(target)
    expect(app.audit.list(0, 1).items[0]?.action).toBe('backup.restored')
    await app.close()
  })
})
