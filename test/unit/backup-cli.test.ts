// @vitest-environment node
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCommandLine } from '../../electron/headless/cli.js'
import type { CreatedBackup } from '../../shared/contract/index.js'

/**
 * `backup create` on the command line (issue 15 item 6): where the passphrase comes from, the
 * file it writes (owner-only, never over another without --force), what it prints.
 */

const ENV = 'PLGD_M2M_BACKUP_PASSPHRASE'
const FILE_BYTES = Buffer.from('plgd-m2m-console backup\n...ciphertext...')
const CREATED: CreatedBackup = {
  filename: 'plgd-m2m-console-2026-12-02.backup',
  dataBase64: FILE_BYTES.toString('base64'),
  bytes: FILE_BYTES.length,
  summary: {
    formatVersion: 1,
    createdAt: 1_767_225_600,
    clients: 1,
    keys: 2,
    hubs: 0,
    tokens: 5,
    auditEntries: 9,
  },
}

let dir: string
let calls: { method: string; input: unknown }[]
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'plgd-m2m-backup-cli-'))
  calls = []
  delete process.env[ENV]
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
  delete process.env[ENV]
})

async function run(argv: string[]) {
  let out = ''
  let err = ''
  const code = await runCommandLine([...argv, '--data-dir', join(dir, 'data')], {
    io: { out: (t) => void (out += t), err: (t) => void (err += t) },
    operation: (_globals, method, input) => {
      calls.push({ method, input })
      return Promise.resolve(CREATED)
    },
  })
  return { code, out, err }
}

describe('backup create', () => {
  it('reads --passphrase-file, writes the file owner-only and prints its path and counts', async () => {
    const pass = join(dir, 'pass.txt')
    writeFileSync(pass, 'a long enough passphrase\n')
    const out = join(dir, 'console.backup')
    const result = await run(['backup', 'create', '--out', out, '--passphrase-file', pass])
    expect(result.code, result.err).toBe(0)
    expect(calls).toEqual([
      { method: 'backup.create', input: { passphrase: 'a long enough passphrase' } },
    ])
    expect(readFileSync(out)).toEqual(FILE_BYTES)
    expect(statSync(out).mode & 0o777).toBe(0o600)
    expect(result.out).toContain(`wrote ${out} (${FILE_BYTES.length} bytes, owner-only)`)
    expect(result.out).toContain('1 client, 2 signing keys, 0 hub profiles, 5 token records')
    expect(result.out).toContain(`backup restore ${out} --data-dir DIR`)
    expect(result.out).not.toContain('a long enough passphrase')
  })

  it('takes the passphrase from the environment once, and prints JSON with --json', async () => {
    process.env[ENV] = 'from the environment'
    const out = join(dir, 'env.backup')
    const result = await run(['backup', 'create', '--out', out, '--json'])
    expect(result.code, result.err).toBe(0)
    expect(calls[0]?.input).toEqual({ passphrase: 'from the environment' })
    expect(process.env[ENV]).toBeUndefined()
    expect(JSON.parse(result.out)).toEqual({
      path: out,
      bytes: FILE_BYTES.length,
      summary: CREATED.summary,
    })
  })

  it('without a passphrase source and no terminal, says where to give one and calls nothing', async () => {
    // As in CI, whoever runs the tests: no terminal to ask on.
    const tty = Object.getOwnPropertyDescriptor(process.stdin, 'isTTY')
    Object.defineProperty(process.stdin, 'isTTY', { value: undefined, configurable: true })
    let result: Awaited<ReturnType<typeof run>>
    try {
      result = await run(['backup', 'create', '--out', join(dir, 'x.backup'), '--json'])
    } finally {
      if (tty) Object.defineProperty(process.stdin, 'isTTY', tty)
      else delete (process.stdin as { isTTY?: boolean }).isTTY
    }
    expect(result.code).toBe(1)
    expect(JSON.parse(result.err).error.message).toMatch(
      /--passphrase-file FILE, set PLGD_M2M_BACKUP_PASSPHRASE, or run from a terminal/,
    )
    expect(calls).toEqual([])
  })

  it('refuses an existing file before making a backup; --force replaces it', async () => {
    const out = join(dir, 'taken.backup')
    writeFileSync(out, 'older')
    process.env[ENV] = 'a long enough passphrase'
    const refused = await run(['backup', 'create', '--out', out, '--json'])
    expect(refused.code).toBe(1)
    expect(JSON.parse(refused.err).error).toMatchObject({ code: 'already_exists' })
    expect(JSON.parse(refused.err).error.message).toMatch(/--force/)
    expect(calls).toEqual([])
    expect(readFileSync(out, 'utf8')).toBe('older')
    const forced = await run(['backup', 'create', '--out', out, '--force'])
    expect(forced.code, forced.err).toBe(0)
    expect(readFileSync(out)).toEqual(FILE_BYTES)
  })
})

describe('backup restore', () => {
  it('reports a file it cannot read, naming it', async () => {
    const missing = join(dir, 'nowhere.backup')
    const result = await run(['backup', 'restore', missing, '--json'])
    expect(result.code).toBe(1)
    expect(JSON.parse(result.err).error.message).toBe(`cannot read the backup file ${missing}`)
    expect(existsSync(join(dir, 'data'))).toBe(false)
  })
})
