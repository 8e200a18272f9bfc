// @vitest-environment node
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openApp, type App } from '../../electron/app.js'
import { openHeadlessSettings } from '../../electron/app-settings.js'
import { runCommandLine } from '../../electron/headless/cli.js'
import { entryHash } from '../../electron/ledger/audit-log.js'
import { FakeKeychain, recordingLogger } from '../helpers/fakes.js'

/**
 * Issue 16 item 3: the audit chain's head (count and latest hash) is anchored with the
 * authenticated settings, so `audit verify` reports the newest entries cut off, or the tail
 * rewritten with a fresh chain, not only an edit in the middle.
 */

let dataDir: string
let keychain: FakeKeychain
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'plgd-m2m-anchor-'))
  keychain = new FakeKeychain()
})
afterEach(() => rmSync(dataDir, { recursive: true, force: true }))

const open = (acceptSettingsChange?: boolean): Promise<App> =>
  openApp({
    dataDir,
    settings: openHeadlessSettings(dataDir),
    keychain,
    log: recordingLogger(),
    acceptSettingsChange,
  })

/** Six entries, then closed; verify() is intact (the control case). */
async function withSixEntries(): Promise<void> {
  const app = await open()
  for (let i = 1; i <= 6; i++) app.audit.append({ actor: 'test', action: 'act', subject: `${i}` })
  expect(app.audit.verify()).toEqual({ ok: true, entries: 6 })
  await app.close()
}

/** What someone who can write the records file does: drop the guards, then edit. */
function tamper(edit: (db: Database.Database) => void): void {
  const db = new Database(join(dataDir, 'records.sqlite3'))
  try {
    const triggers = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'")
      .all() as { name: string }[]
    for (const { name } of triggers) db.exec(`DROP TRIGGER "${name}"`)
    edit(db)
  } finally {
    db.close()
  }
}

describe('the audit anchor', () => {
  it('reports the newest entries cut off, at the first missing one', async () => {
    await withSixEntries()
    tamper((db) => db.prepare('DELETE FROM audit WHERE seq > 4').run())
    const app = await open()
    try {
      expect(app.audit.verify()).toEqual({ ok: false, entries: 4, brokenAt: 5 })
      // Appending afterwards does not move the anchor: the cut stays visible.
      app.audit.append({ actor: 'test', action: 'act', subject: 'later' })
      app.audit.append({ actor: 'test', action: 'act', subject: 'later' })
      expect(app.audit.verify()).toMatchObject({ ok: false, brokenAt: 6 })
    } finally {
      await app.close()
    }
  })

  it('reports a tail rewritten with a chain of its own', async () => {
    await withSixEntries()
    tamper((db) => {
      const row = db.prepare('SELECT * FROM audit WHERE seq = 6').get() as {
        at: number
        prev_hash: string
      }
      const forged = {
        seq: 6,
        at: row.at,
        actor: 'test',
        action: 'act',
        subject: 'rewritten',
        details: {},
        prevHash: row.prev_hash,
      }
      db.prepare('UPDATE audit SET subject = ?, hash = ? WHERE seq = 6').run(
        'rewritten',
        entryHash(forged),
      )
    })
    const app = await open()
    try {
      expect(app.audit.verify()).toEqual({ ok: false, entries: 6, brokenAt: 6 })
    } finally {
      await app.close()
    }
  })

  it('cannot be moved back in settings.json: the settings tag covers it', async () => {
    await withSixEntries()
    tamper((db) => db.prepare('DELETE FROM audit WHERE seq > 4').run())
    const { readFileSync, writeFileSync } = await import('node:fs')
    const file = join(dataDir, 'settings.json')
    const data = JSON.parse(readFileSync(file, 'utf8')) as {
      integrity: { audit: { count: number } }
    }
    data.integrity.audit.count = 4
    writeFileSync(file, JSON.stringify(data))
    await expect(open()).rejects.toThrow(/its integrity record was edited/)
  })

  it('is re-anchored by an accepted change, which records where it was', async () => {
    await withSixEntries()
    tamper((db) => db.prepare('DELETE FROM audit WHERE seq > 4').run())
    const app = await open(true)
    try {
      const [entry] = app.audit.list(0, 1).items
      expect(entry).toMatchObject({
        action: 'settings.change_accepted',
        subject: 'audit',
        details: { auditAnchorWas: { count: 6 } },
      })
      expect(app.audit.verify()).toEqual({ ok: true, entries: 5 })
    } finally {
      await app.close()
    }
  })
})

describe('audit verify on the command line', () => {
  it('says the newest entries were cut off, and exits 3', async () => {
    let out = ''
    const code = await runCommandLine(['audit', 'verify', '--data-dir', dataDir], {
      io: { out: (t) => void (out += t), err: () => undefined },
      operation: () => Promise.resolve({ ok: false, entries: 4, brokenAt: 5 }),
    })
    expect(code).toBe(3)
    expect(out).toContain('entries from 5 on were cut off (4 entries left')
  })
})
