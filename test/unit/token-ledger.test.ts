// @vitest-environment node
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { TokenRecordView } from '../../shared/contract/index.js'
import {
  escapeLike,
  TokenLedger,
  type LedgerPageQuery,
  type TokenRecord,
} from '../../electron/ledger/token-ledger.js'
import { openRecordsDb, type RecordsDb } from '../../electron/platform/records-db.js'

const NOW = 1_751_476_400
const HOUR = 3600

let dir: string
let db: RecordsDb
let ledger: TokenLedger

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'plgd-m2m-ledger-'))
  db = openRecordsDb(dir)
  ledger = new TokenLedger(db)
})

afterEach(() => {
  if (db.open) db.close()
  rmSync(dir, { recursive: true, force: true })
})

function rec(id: string, overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    id,
    name: '',
    owner: '1',
    issuedAt: NOW - 60,
    audience: ['https://hub.example/'],
    scope: ['r:*', 'w:*'],
    expiration: NOW + HOUR,
    clientId: 'console-dps',
    subject: '1',
    originalTokenClaims: null,
    blacklisted: null,
    ...overrides,
  }
}

/** Records the given tokens, then marks those with `blacklisted` set, whatever their expiry. */
async function seed(records: TokenRecord[]): Promise<void> {
  await Promise.all(records.map((r) => ledger.record({ ...r, blacklisted: null })))
  const mark = db.prepare('UPDATE tokens SET blacklisted_at = ? WHERE id = ?')
  for (const r of records) if (r.blacklisted) mark.run(r.blacklisted.timestamp, r.id)
}

const ids = (records: { id: string }[]) => records.map((r) => r.id).sort()
const revokedAt = (timestamp: number) => ({ flag: true, timestamp })

describe('TokenLedger record / get / find', () => {
  it('keeps the record shape of the contract', () => {
    const view: TokenRecordView = rec('a')
    const back: TokenRecord = view
    expect(back.id).toBe('a')
  })

  it('commits a turn of records in one batch and reads each back by id', async () => {
    const full = rec('full', {
      name: 'dps',
      audience: ['a', 'b'],
      scope: [],
      originalTokenClaims: { sub: '1', nested: { x: [1, 2] } },
    })
    const pending = [ledger.record(full), ledger.record(rec('other'))]
    expect(ledger.stats(NOW).tokens).toBe(0) // nothing committed within the turn
    await Promise.all(pending)
    expect(ledger.stats(NOW).tokens).toBe(2)
    expect(ledger.get('full')).toEqual(full)
    expect(ledger.get('missing')).toBeUndefined()
  })

  it('rejects every record of a failing batch', async () => {
    const broken = rec('broken', { name: null as unknown as string }) // violates NOT NULL
    const results = await Promise.allSettled([ledger.record(rec('new')), ledger.record(broken)])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    expect(ledger.get('new')).toBeUndefined()
  })

  it('keeps the first copy when a record is sent again (after the signing thread died)', async () => {
    await ledger.record(rec('dup', { clientId: 'first' }))
    await ledger.record(rec('dup', { clientId: 'again' }))
    expect(ledger.get('dup')?.clientId).toBe('first')
  })

  it('shows a blacklisting through get', async () => {
    await seed([rec('a')])
    ledger.blacklist(['a'], NOW)
    expect(ledger.get('a')?.blacklisted).toEqual(revokedAt(NOW))
  })
})

describe('TokenLedger findForOwner (plgd GET)', () => {
  beforeEach(async () => {
    await seed([
      rec('a-live'),
      rec('a-expired', { expiration: NOW - HOUR }),
      rec('a-revoked', { blacklisted: revokedAt(NOW - 5) }),
      rec('b-live', { owner: '2' }),
    ])
  })

  it.each([
    { filter: [], includeBlacklisted: false, expected: ['a-expired', 'a-live'] },
    { filter: [], includeBlacklisted: true, expected: ['a-expired', 'a-live', 'a-revoked'] },
    { filter: ['a-live', 'b-live', 'nope'], includeBlacklisted: false, expected: ['a-live'] },
    { filter: ['a-revoked'], includeBlacklisted: false, expected: [] },
    { filter: ['a-revoked', 'b-live'], includeBlacklisted: true, expected: ['a-revoked'] },
  ])(
    'ids $filter, includeBlacklisted $includeBlacklisted',
    ({ filter, includeBlacklisted, expected }) => {
      expect(ids(ledger.findForOwner('1', filter, includeBlacklisted))).toEqual(expected)
    },
  )

  it('sees nothing of an unknown owner', () => {
    expect(ledger.findForOwner('nobody', [], true)).toEqual([])
  })

  it('takes more ids than SQLite has bound variables', () => {
    const many = Array.from({ length: 40_000 }, (_, i) => `x${i}`)
    expect(ids(ledger.findForOwner('1', [...many, 'a-live'], false))).toEqual(['a-live'])
  })
})

describe('TokenLedger blacklistForOwner (plgd DELETE)', () => {
  const EARLIER = NOW - 100
  const fixture = () => [
    rec('a-live1'),
    rec('a-live2'),
    rec('a-expired', { expiration: NOW - 1 }),
    rec('a-edge', { expiration: NOW }), // neither live nor in the past
    rec('a-revoked', { blacklisted: revokedAt(EARLIER) }),
    rec('a-revoked-expired', { expiration: NOW - HOUR, blacklisted: revokedAt(EARLIER) }),
    rec('b-live', { owner: '2' }),
    rec('b-expired', { owner: '2', expiration: NOW - 1 }),
  ]

  it('with an empty filter blacklists all the owner’s live tokens and deletes the expired', async () => {
    const before = fixture()
    await seed(before)
    expect(ledger.blacklistForOwner('1', [], NOW)).toEqual({ blacklistedCount: 2, deletedCount: 2 })

    expect(ledger.get('a-live1')?.blacklisted).toEqual(revokedAt(NOW))
    expect(ledger.get('a-live2')?.blacklisted).toEqual(revokedAt(NOW))
    expect(ledger.get('a-expired')).toBeUndefined()
    expect(ledger.get('a-revoked-expired')).toBeUndefined()
    expect(ledger.get('a-edge')?.blacklisted).toBeNull()
    // Already blacklisted: its timestamp stays.
    expect(ledger.get('a-revoked')?.blacklisted).toEqual(revokedAt(EARLIER))
    // The other owner's records are untouched.
    for (const r of before.filter((r) => r.owner === '2')) expect(ledger.get(r.id)).toEqual(r)

    // One-way and idempotent: a second call finds nothing more to do.
    expect(ledger.blacklistForOwner('1', [], NOW)).toEqual({ blacklistedCount: 0, deletedCount: 0 })
    // Once a-edge's expiration is in the past it goes too; nothing is re-blacklisted.
    expect(ledger.blacklistForOwner('1', [], NOW + 1)).toEqual({
      blacklistedCount: 0,
      deletedCount: 1,
    })
    expect(ledger.get('a-edge')).toBeUndefined()
    expect(ledger.get('a-live1')?.blacklisted).toEqual(revokedAt(NOW))
  })

  it.each([
    {
      name: 'one live and one expired of the owner',
      filter: ['a-live1', 'a-expired'],
      result: { blacklistedCount: 1, deletedCount: 1 },
      blacklisted: ['a-live1'],
      deleted: ['a-expired'],
    },
    {
      name: 'another owner’s ids and unknown ids',
      filter: ['b-live', 'b-expired', 'nope'],
      result: { blacklistedCount: 0, deletedCount: 0 },
      blacklisted: [],
      deleted: [],
    },
    {
      name: 'mixed owners',
      filter: ['a-live2', 'b-live', 'a-revoked', 'a-revoked-expired', 'a-edge'],
      result: { blacklistedCount: 1, deletedCount: 1 },
      blacklisted: ['a-live2'],
      deleted: ['a-revoked-expired'],
    },
  ])('with a filter: $name', async ({ filter, result, blacklisted, deleted }) => {
    const before = fixture()
    await seed(before)
    expect(ledger.blacklistForOwner('1', filter, NOW)).toEqual(result)
    for (const r of before) {
      const after = ledger.get(r.id)
      if (deleted.includes(r.id)) expect(after).toBeUndefined()
      else if (blacklisted.includes(r.id))
        expect(after).toEqual({ ...r, blacklisted: revokedAt(NOW) })
      else expect(after).toEqual(r)
    }
    expect(ledger.blacklistForOwner('1', filter, NOW)).toEqual({
      blacklistedCount: 0,
      deletedCount: 0,
    })
  })

  it('covers a token whose record is still queued', async () => {
    const pending = ledger.record(rec('queued'))
    expect(ledger.blacklistForOwner('1', [], NOW)).toEqual({ blacklistedCount: 1, deletedCount: 0 })
    await pending
    expect(ledger.get('queued')?.blacklisted).toEqual(revokedAt(NOW))
  })
})

describe('TokenLedger blacklist (revocation, console)', () => {
  beforeEach(async () => {
    await seed([
      rec('dps1'),
      rec('dps2'),
      rec('cli1', { clientId: 'cli' }),
      rec('other-owner', { owner: '2' }),
      rec('expired', { expiration: NOW - 1 }),
      rec('revoked', { blacklisted: revokedAt(NOW - 100) }),
    ])
  })

  it.each([
    { name: 'no scope', scope: undefined, expected: ['dps2', 'cli1', 'other-owner'] },
    { name: 'its client', scope: { clientId: 'console-dps' }, expected: ['dps2', 'other-owner'] },
    { name: 'another client', scope: { clientId: 'cli' }, expected: ['cli1'] },
    { name: 'an owner', scope: { owner: '2' }, expected: ['other-owner'] },
    {
      name: 'client and owner',
      scope: { clientId: 'console-dps', owner: '1' },
      expected: ['dps2'],
    },
  ])('scoped by $name', ({ scope, expected }) => {
    const asked = ['dps2', 'cli1', 'other-owner', 'expired', 'revoked', 'missing', 'dps2']
    expect(ledger.blacklist(asked, NOW, scope)).toEqual(expected)
    for (const id of asked) {
      const r = ledger.get(id)
      if (expected.includes(id)) expect(r?.blacklisted).toEqual(revokedAt(NOW))
      else if (id === 'revoked') expect(r?.blacklisted).toEqual(revokedAt(NOW - 100))
      else if (r) expect(r.blacklisted).toBeNull()
    }
    expect(ledger.get('dps1')?.blacklisted).toBeNull()
    expect(ledger.blacklist(asked, NOW + 1, scope)).toEqual([])
  })

  it('blacklists nothing for an empty list', () => {
    expect(ledger.blacklist([], NOW)).toEqual([])
    expect(ledger.stats(NOW).activeTokens).toBe(4)
  })
})

describe('TokenLedger schema', () => {
  const indexes = () =>
    (
      db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tokens' AND sql IS NOT NULL",
        )
        .all() as { name: string }[]
    )
      .map((r) => r.name)
      .sort()

  it('replaces the indexes of earlier versions and keeps the records', async () => {
    await ledger.record(rec('kept'))
    // The five indexes an earlier version wrote on every insert.
    db.exec(`DROP INDEX tokens_by_owner; DROP INDEX tokens_by_client; DROP INDEX tokens_by_expiry;
      CREATE INDEX tokens_owner ON tokens (owner, issued_at);
      CREATE INDEX tokens_client ON tokens (client_id, issued_at);
      CREATE INDEX tokens_expiration ON tokens (expiration);
      CREATE INDEX tokens_issued ON tokens (issued_at, expiration, blacklisted_at);
      CREATE INDEX tokens_live ON tokens (expiration, blacklisted_at) WHERE blacklisted_at IS NULL;
      PRAGMA user_version = 0;`) // as every version before migrations left it
    db.close()
    db = openRecordsDb(dir)
    const reopened = new TokenLedger(db)
    expect(indexes()).toEqual(['tokens_by_client', 'tokens_by_expiry', 'tokens_by_owner'])
    expect(reopened.get('kept')?.clientId).toBe('console-dps')
  })

  it('counts live tokens and pages an owner from the indexes alone', () => {
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
        .map((r) => r.detail)
        .join('; ')
    expect(
      plan('SELECT count(*) FROM tokens WHERE blacklisted_at IS NULL AND expiration > 1'),
    ).toMatch(/COVERING INDEX tokens_by_expiry/)
    expect(plan("SELECT id FROM tokens WHERE owner = '1' ORDER BY id DESC LIMIT 5")).toMatch(
      /COVERING INDEX tokens_by_owner/,
    )
  })
})

describe('TokenLedger page / stats / purge', () => {
  // Newest first is id order (real ids are UUIDv7): t11 … t00 sort as they were issued.
  const tid = (i: number) => `t${String(i).padStart(2, '0')}`
  // 12 tokens, newest first t11 … t00: t0-t3 expired, t4-t5 revoked (t5 also expired), rest active.
  const fixture = () =>
    Array.from({ length: 12 }, (_, i) =>
      rec(tid(i), {
        issuedAt: NOW - 1000 + i,
        expiration: i <= 3 || i === 5 ? NOW - 10 + (i === 3 ? 10 : 0) : NOW + HOUR,
        blacklisted: i === 4 || i === 5 ? revokedAt(NOW - 1) : null,
        clientId: i % 2 === 0 ? 'even' : 'odd',
        owner: i < 6 ? 'alice' : 'bob',
      }),
    )
  const q = (overrides: Partial<LedgerPageQuery> = {}): LedgerPageQuery => ({
    status: 'all',
    offset: 0,
    limit: 50,
    ...overrides,
  })

  beforeEach(async () => {
    await seed(fixture())
  })

  it.each([
    { query: {}, expected: [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0] },
    { query: { status: 'active' as const }, expected: [11, 10, 9, 8, 7, 6] },
    { query: { status: 'expired' as const }, expected: [3, 2, 1, 0] },
    { query: { status: 'revoked' as const }, expected: [5, 4] },
    { query: { clientId: 'odd' }, expected: [11, 9, 7, 5, 3, 1] },
    { query: { owner: 'alice', status: 'active' as const }, expected: [] },
    { query: { owner: 'bob', clientId: 'even' }, expected: [10, 8, 6] },
    { query: { search: '1' }, expected: [11, 10, 1] },
    { query: { search: 'ALI' }, expected: [5, 4, 3, 2, 1, 0] },
    { query: { search: 'dd', status: 'expired' as const }, expected: [3, 1] },
    { query: { search: '' }, expected: [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0] },
  ])('filters $query', ({ query, expected }) => {
    const page = ledger.page(q(query), NOW)
    expect(page.items.map((r) => r.id)).toEqual(expected.map(tid))
    expect(page.total).toBe(expected.length)
  })

  it('partitions the ledger: active + expired + revoked counts add up to all (revoked wins)', () => {
    const count = (status: LedgerPageQuery['status']) => ledger.page(q({ status }), NOW).total
    expect(count('active') + count('expired') + count('revoked')).toBe(count('all'))
  })

  it('pages with a stable order and the full total on every page', () => {
    const seen: string[] = []
    for (const offset of [0, 5, 10, 15]) {
      const page = ledger.page(q({ offset, limit: 5 }), NOW)
      expect(page.total).toBe(12)
      expect(page.items.length).toBe(Math.max(0, Math.min(5, 12 - offset)))
      seen.push(...page.items.map((r) => r.id))
    }
    expect(seen).toEqual(ledger.page(q(), NOW).items.map((r) => r.id))
    expect(ledger.page(q({ status: 'active', offset: 4, limit: 5 }), NOW)).toMatchObject({
      total: 6,
      items: [{ id: 't07' }, { id: 't06' }],
    })
  })

  it('refuses a negative or fractional offset or limit', () => {
    expect(() => ledger.page(q({ limit: -1 }), NOW)).toThrow(RangeError)
    expect(() => ledger.page(q({ offset: 1.5 }), NOW)).toThrow(RangeError)
  })

  it.each([
    { search: '%', expected: ['50%off'] },
    { search: '_', expected: ['a_b'] },
    { search: '\\', expected: ['back\\slash'] },
    { search: '0%o', expected: ['50%off'] },
    { search: 'a_', expected: ['a_b'] },
    { search: 'x', expected: ['50xoff', 'axb'] },
  ])('takes $search literally', async ({ search, expected }) => {
    await seed(
      ['50%off', '50xoff', 'a_b', 'axb', 'back\\slash'].map((name) => rec(`n-${name}`, { name })),
    )
    const page = ledger.page(q({ search }), NOW)
    expect(page.items.map((r) => r.name).sort()).toEqual(expected)
    expect(page.total).toBe(expected.length)
  })

  it('escapes LIKE wildcards and the escape character', () => {
    expect(escapeLike('a%b_c\\d')).toBe('a\\%b\\_c\\\\d')
  })

  it('counts all and active tokens', () => {
    expect(ledger.stats(NOW)).toEqual({ tokens: 12, activeTokens: 6 })
    expect(ledger.stats(NOW + 2 * HOUR)).toEqual({ tokens: 12, activeTokens: 0 })
    ledger.blacklist(['t11'], NOW)
    expect(ledger.stats(NOW)).toEqual({ tokens: 12, activeTokens: 5 })
  })

  it('counts an empty ledger', () => {
    ledger.purgeExpired(NOW + 2 * HOUR)
    expect(ledger.stats(NOW)).toEqual({ tokens: 0, activeTokens: 0 })
  })

  it('purges records whose expiration is before the cut-off, revoked or not', () => {
    // Expired at NOW - 10: t0, t1, t2, t5; t3 expires at NOW exactly.
    expect(ledger.purgeExpired(NOW)).toBe(4)
    expect(ids(ledger.page(q(), NOW).items)).toEqual(
      ['t03', 't04', 't06', 't07', 't08', 't09', 't10', 't11'].sort(),
    )
    expect(ledger.purgeExpired(NOW)).toBe(0)
    expect(ledger.purgeExpired(NOW + 1)).toBe(1)
  })
})

describe('TokenLedger durability', () => {
  it('keeps records and blacklistings across closing and reopening the database', async () => {
    await seed([rec('kept', { name: 'n', originalTokenClaims: { a: 1 } }), rec('revoked')])
    ledger.blacklist(['revoked'], NOW)
    const before = [ledger.get('kept'), ledger.get('revoked')]
    const queued = ledger.record(rec('queued'))
    ledger.flush() // what App.close() does before closing
    await queued
    db.close()

    db = openRecordsDb(dir)
    ledger = new TokenLedger(db)
    expect([ledger.get('kept'), ledger.get('revoked')]).toEqual(before)
    expect(ledger.get('queued')).toEqual(rec('queued'))
    expect(ledger.stats(NOW).tokens).toBe(3)
  })
})
