import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { BackupSummary } from '../../../shared/contract/index.js'
import { AppError } from '../../../shared/errors.js'
import { restoreBackup } from '../../backup/restore.js'
import { keytarKeychain } from '../../platform/keychain.js'
import { writeExportFiles } from '../export-files.js'
import { openHeadlessApp } from '../local-app.js'
import { isoTime } from '../output.js'
import { askHidden } from '../passphrase.js'
import { customCommand, option, type Io } from './spec.js'

/** The variable a script or CI gives the backup passphrase in (removed once read). */
export const BACKUP_PASSPHRASE_ENV = 'PLGD_M2M_BACKUP_PASSPHRASE'

const passphraseFileOption = option.text(
  'FILE',
  `the backup passphrase (or \`$${BACKUP_PASSPHRASE_ENV}\`, or a terminal prompt)`,
)

/**
 * The backup passphrase, in order: --passphrase-file, the environment (then removed from it),
 * a prompt on the terminal (twice when creating, so a typo does not lock the backup away).
 */
async function backupPassphrase(file: string | undefined, confirm: boolean): Promise<string> {
  if (file !== undefined) {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '')
    } catch (cause) {
      throw new AppError('invalid_input', `cannot read the passphrase file ${file}`, { cause })
    }
  }
  const fromEnv = process.env[BACKUP_PASSPHRASE_ENV]
  if (fromEnv) {
    delete process.env[BACKUP_PASSPHRASE_ENV]
    return fromEnv
  }
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new AppError(
      'invalid_input',
      `a backup passphrase is needed: give --passphrase-file FILE, set ${BACKUP_PASSPHRASE_ENV}, ` +
        'or run from a terminal to be asked',
    )
  }
  const first = await askHidden('Backup passphrase (at least 12 characters): ')
  if (confirm && (await askHidden('The same passphrase again: ')) !== first) {
    throw new AppError(
      'invalid_input',
      'the two passphrases differ: nothing was written; run again',
    )
  }
  return first
}

function counts(s: BackupSummary): string {
  const n = (count: number, what: string): string => `${count} ${what}${count === 1 ? '' : 's'}`
  return [
    n(s.clients, 'client'),
    n(s.keys, 'signing key'),
    n(s.hubs, 'hub profile'),
    n(s.tokens, 'token record'),
    n(s.auditEntries, 'audit entry').replace(/entrys$/, 'entries'),
  ].join(', ')
}

function print(io: Io, json: boolean, value: unknown, human: string): void {
  io.out(json ? `${JSON.stringify(value)}\n` : human)
}

export const backupCommands = [
  customCommand({
    words: 'backup create',
    summary:
      'encrypt the whole console (settings, clients, keys, CA, ledger, audit log) into one file',
    details:
      'The file is encrypted under a passphrase (scrypt, AES-256-GCM; see docs/backup.md) and ' +
      'written owner-only. It holds the wrapping key of the data directory, so keep the ' +
      'passphrase apart from the file. Runs in the running console when one holds the data ' +
      'directory. The audit log records `backup.created`.',
    options: {
      out: option.required('FILE', 'where to write the backup'),
      force: option.flag('replace FILE if it exists'),
      'passphrase-file': passphraseFileOption,
    },
    examples: [
      'backup create --out console.backup',
      'backup create --out console.backup --passphrase-file pass.txt --json',
    ],
    async run(ctx, v) {
      // Before the passphrase and the backup itself (an audit entry): writeExportFiles checks again.
      if (!v.force && existsSync(v.out)) {
        throw new AppError(
          'already_exists',
          `${resolve(v.out)} already exists: choose another --out, or add --force to replace`,
        )
      }
      const passphrase = await backupPassphrase(v['passphrase-file'], true)
      const created = await ctx.call('backup.create', { passphrase })
      const [path] = writeExportFiles(
        [{ path: v.out, content: Buffer.from(created.dataBase64, 'base64'), secret: true }],
        { force: v.force },
      )
      print(
        ctx.io,
        ctx.globals.json,
        { path, bytes: created.bytes, summary: created.summary },
        `wrote ${path} (${created.bytes} bytes, owner-only): ${counts(created.summary)}\n` +
          'Keep the passphrase apart from the file. On the new machine: ' +
          `plgd-m2m-console backup restore ${path} --data-dir DIR\n`,
      )
      return 0
    },
  }),
  customCommand({
    words: 'backup restore',
    summary: 'restore a backup into a new data directory (--data-dir), on this or another machine',
    details:
      'The data directory must not exist yet (or be empty). The file is decrypted and every part ' +
      "checked before anything is written; the wrapping key goes into this machine's keychain " +
      '(`--vault passphrase` keeps a passphrase vault instead, for a backup of one, and needs ' +
      'its vault passphrase). Clients keep their secrets, tokens issued before still verify, and ' +
      'the audit log records `backup.restored`.',
    args: { name: 'FILE' },
    options: { 'passphrase-file': passphraseFileOption },
    examples: [
      'backup restore console.backup --data-dir ~/.config/plgd-m2m-console',
      'backup restore console.backup --passphrase-file pass.txt --data-dir ./console --json',
    ],
    async run(ctx, v, [path]) {
      let file: Buffer
      try {
        file = readFileSync(path)
      } catch (cause) {
        throw new AppError('invalid_input', `cannot read the backup file ${path}`, { cause })
      }
      const { globals } = ctx
      const restored = await restoreBackup({
        file,
        passphrase: () => backupPassphrase(v['passphrase-file'], false),
        dataDir: globals.dataDir,
        keychain: keytarKeychain(),
        vault: globals.vault,
        openApp: (dataDir) =>
          openHeadlessApp({
            dataDir,
            log: globals.log,
            vaultPassphraseFile: globals.vaultPassphraseFile,
          }),
      })
      const where =
        restored.vault === 'keychain'
          ? "its wrapping key is in this machine's keychain"
          : 'it opens with its vault passphrase, as before'
      print(
        ctx.io,
        globals.json,
        restored,
        `restored the console backed up at ${isoTime(restored.createdAt)} (version ` +
          `${restored.productVersion}) into ${restored.dataDir}: ${counts(restored.summary)}; ` +
          `${where}\nNext: plgd-m2m-console serve --data-dir ${restored.dataDir}\n`,
      )
      return 0
    },
  }),
]
