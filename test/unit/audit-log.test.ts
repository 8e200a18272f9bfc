// @vitest-environment node
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  AuditLog,
  canonicalJson,
  entryHash,
  GENESIS_HASH,
  type AuditExportLine,
  type AuditInput,
} from '../../electron/ledger/audit-log.js'
import { openRecordsDb, type RecordsDb } from '../../electron/platform/records-db.js'

const T0 = 1_751_476_400

let dir: string
let db: RecordsDb
let now: number
let log: AuditLog

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'plgd-m2m-audit-'))
  db = openRecordsDb(dir)
  now = T0
  log = new AuditLog(db, () => now++)
})

afterEach(() => {
  if (db.open) db.close()
  rmSync(dir, { recursive: true, force: true })
})

const ACTS: AuditInput[] = [
  { actor: 'console', action: 'client.add', subject: 'console-dps', details: { owner: '1' } },
  { actor: 'console', action: 'key.rotate', subject: 'kid-2', details: { retiredKid: 'kid-1' } },
  {
    actor: 'cli',
    action: 'tokens.revoke',
    subject: 'console-dps',
    details: { ids: ['a', 'b'], count: 2, nested: { z: 1, a: [{ y: true, x: null }] } },
  },
  { actor: 'console', action: 'settings.update', subject: 'issuer' },
  { actor: 'console', action: 'client.remove', subject: 'console-dps', details: { z: 1, a: 2 } },
]

function appendAll(): void {
  for (const act of ACTS) log.append(act)
}

/** A second connection to the file, as an attacker with file access would open it. */
function raw(): Database.Database {
  return new Database(join(dir, 'records.sqlite3'))
}

function exported(): AuditExportLine[] {
  const lines: string[] = []
  log.exportJsonl((line) => lines.push(line))
  return lines.map((line) => JSON.parse(line) as AuditExportLine)
}

describe('AuditLog append / list', () => {
  it('chains entries from the genesis hash', () => {
    const entries = ACTS.map((act) => log.append(act))
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5])
    expect(entries.map((e) => e.at)).toEqual([T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4])
    expect(entries[3]?.details).toEqual({})
    let prevHash = GENESIS_HASH
    for (const [i, entry] of entries.entries()) {
      const act = ACTS[i] as AuditInput
      expect(entry).toMatchObject({ actor: act.actor, action: act.action, subject: act.subject })
      expect(entry.hash).toMatch(/^[0-9a-f]{64}$/)
      expect(entry.hash).toBe(entryHash({ ...entry, prevHash }))
      prevHash = entry.hash
    }
    expect(log.verify()).toEqual({ ok: true, entries: 5 })
  })

  it('verifies an empty log', () => {
    expect(log.verify()).toEqual({ ok: true, entries: 0 })
    expect(log.list(0, 10)).toEqual({ items: [], total: 0 })
  })

  it('lists newest first, a page at a time, with the total', () => {
    const entries = ACTS.map((act) => log.append(act))
    expect(log.list(0, 2)).toEqual({ items: [entries[4], entries[3]], total: 5 })
    expect(log.list(4, 2)).toEqual({ items: [entries[0]], total: 5 })
    expect(log.list(10, 2)).toEqual({ items: [], total: 5 })
    expect(() => log.list(-1, 2)).toThrow(RangeError)
  })

  it.each([
    { filters: { action: 'client.' }, expected: [5, 1] },
    { filters: { actor: 'cli' }, expected: [3] },
    { filters: { subject: 'dps' }, expected: [5, 3, 1] },
    { filters: { search: 'kid-1' }, expected: [2] },
    { filters: { search: 'console', action: 'client.remove' }, expected: [5] },
    { filters: { search: '%' }, expected: [] },
  ])('filters by action, actor, subject and text: $filters', ({ filters, expected }) => {
    appendAll()
    const page = log.list(0, 50, filters)
    expect(page.items.map((e) => e.seq)).toEqual(expected)
    expect(page.total).toBe(expected.length)
  })

  it('hashes the canonical form: key order in details does not matter', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined }, e: 'x' })).toBe(
      '{"a":{"d":[{"y":2,"z":1}]},"b":1,"e":"x"}',
    )
    const a = log.append({
      actor: 'a',
      action: 'x',
      subject: 's',
      details: { p: 1, q: { r: 2, s: 3 } },
    })
    const shuffled = { ...a, details: { q: { s: 3, r: 2 }, p: 1 }, prevHash: GENESIS_HASH }
    expect(entryHash(shuffled)).toBe(a.hash)
  })

  it('continues the chain after the database is reopened', () => {
    appendAll()
    db.close()
    db = openRecordsDb(dir)
    log = new AuditLog(db, () => now++)
    expect(log.append({ actor: 'console', action: 'x', subject: 'y' }).seq).toBe(6)
    expect(log.verify()).toEqual({ ok: true, entries: 6 })
  })
})

describe('AuditLog refuses secrets', () => {
  it.each([
    { clientSecret: 'x' },
    { password: 'x' },
    { nested: { Passphrase: 'x' } },
    { keys: [{ kid: 'k', privateKey: 'pem' }] },
    { PEPPER: 'x' },
    { accessToken: 'eyJ…' },
    { refresh_token: 'x' },
    { clientAssertion: 'eyJ…' },
  ])('refuses %j', (details) => {
    appendAll()
    expect(() => log.append({ actor: 'console', action: 'x', subject: 'y', details })).toThrow(
      /must not carry secrets/,
    )
    expect(log.verify()).toEqual({ ok: true, entries: ACTS.length })
  })

  it.each([
    { kid: 'k1', count: 3 },
    { ids: ['a', 'b'], tokens: 2, tokenCount: 2, revokedTokens: ['a'] },
    { clientId: 'c', owner: '1', note: 'a secret-looking value is not a key' },
  ])('accepts %j', (details) => {
    expect(log.append({ actor: 'console', action: 'x', subject: 'y', details }).details).toEqual(
      details,
    )
  })

  it('refuses details that are not a JSON object', () => {
    expect(() =>
      log.append({
        actor: 'a',
        action: 'b',
        subject: 'c',
        details: [] as unknown as Record<string, unknown>,
      }),
    ).toThrow(TypeError)
    expect(() => log.append({ actor: 'a', action: 'b', subject: 'c', details: { n: 1n } })).toThrow(
      TypeError,
    )
    expect(log.verify()).toEqual({ ok: true, entries: 0 })
  })
})

describe('AuditLog is append-only', () => {
  beforeEach(appendAll)

  it.each([
    "UPDATE audit SET details = '{}' WHERE seq = 2",
    'DELETE FROM audit WHERE seq = 2',
    'DELETE FROM audit',
  ])('the triggers refuse %s', (sql) => {
    expect(() => db.prepare(sql).run()).toThrow(/append-only/)
    expect(log.verify()).toEqual({ ok: true, entries: 5 })
  })
})

describe('AuditLog verify detects tampering', () => {
  beforeEach(appendAll)

  function tamper(...statements: string[]): void {
    const attacker = raw()
    try {
      attacker.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;')
      for (const sql of statements) attacker.exec(sql)
    } finally {
      attacker.close()
    }
  }

  it.each([
    {
      name: 'edited details',
      sql: [`UPDATE audit SET details = '{"ids":["a"],"count":1}' WHERE seq = 3`],
      brokenAt: 3,
    },
    { name: 'edited actor', sql: ["UPDATE audit SET actor = 'nobody' WHERE seq = 1"], brokenAt: 1 },
    { name: 'edited time', sql: ['UPDATE audit SET at = at - 1 WHERE seq = 5'], brokenAt: 5 },
    {
      name: 'unparseable details',
      sql: ["UPDATE audit SET details = '{' WHERE seq = 4"],
      brokenAt: 4,
    },
    { name: 'a removed middle entry', sql: ['DELETE FROM audit WHERE seq = 3'], brokenAt: 4 },
    { name: 'a removed first entry', sql: ['DELETE FROM audit WHERE seq = 1'], brokenAt: 2 },
    {
      name: 'a removed entry with the seqs renumbered',
      sql: ['DELETE FROM audit WHERE seq = 2', 'UPDATE audit SET seq = seq - 1 WHERE seq > 2'],
      brokenAt: 2,
    },
  ])('$name', ({ sql, brokenAt }) => {
    const entriesLeft = 5 - sql.filter((s) => s.startsWith('DELETE')).length
    tamper(...sql)
    expect(log.verify()).toEqual({ ok: false, entries: entriesLeft, brokenAt })
  })

  it('an edited entry whose own hash was recomputed breaks at the next one', () => {
    const [, , third] = exported()
    if (!third) throw new Error('no third entry')
    const details = { ids: ['a'], count: 1 }
    const forged = entryHash({ ...third, details })
    tamper(
      `UPDATE audit SET details = '${JSON.stringify(details)}', hash = '${forged}' WHERE seq = 3`,
    )
    expect(log.verify()).toEqual({ ok: false, entries: 5, brokenAt: 4 })
    // list() still shows what is there, tampered or not.
    expect(log.list(2, 1).items[0]?.details).toEqual(details)
  })
})

describe('AuditLog exportJsonl', () => {
  it('writes every entry as one JSON line, oldest first, with both hashes', () => {
    appendAll()
    const lines: string[] = []
    expect(log.exportJsonl((line) => lines.push(line))).toBe(5)
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(
      true,
    )
    const parsed = lines.map((line) => JSON.parse(line) as AuditExportLine)
    const listed = log.list(0, 10).items.reverse()
    let prevHash = GENESIS_HASH
    for (const [i, line] of parsed.entries()) {
      expect(Object.keys(line).sort()).toEqual(
        ['action', 'actor', 'at', 'details', 'hash', 'prevHash', 'seq', 'subject'].sort(),
      )
      expect(line).toEqual({ ...listed[i], prevHash })
      expect(entryHash(line)).toBe(line.hash)
      prevHash = line.hash
    }
  })

  it('exports more entries than one read chunk, and lets the writer use the database', () => {
    for (let i = 0; i < 1203; i++) log.append({ actor: 'a', action: 'x', subject: String(i) })
    let appended = false
    const seqs: number[] = []
    const n = log.exportJsonl((line) => {
      seqs.push((JSON.parse(line) as AuditExportLine).seq)
      if (!appended) {
        appended = true
        log.append({ actor: 'a', action: 'export', subject: 'audit' })
      }
    })
    expect(n).toBe(1204)
    expect(seqs).toEqual(Array.from({ length: 1204 }, (_, i) => i + 1))
    expect(log.verify()).toEqual({ ok: true, entries: 1204 })
  })
})
