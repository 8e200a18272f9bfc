// @vitest-environment node
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ReplayCache } from '../../electron/ledger/replay-cache.js'
import { openRecordsDb, type RecordsDb } from '../../electron/platform/records-db.js'

const NOW = 1_751_476_400

let dir: string
let db: RecordsDb
let cache: ReplayCache

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'plgd-m2m-replay-'))
  db = openRecordsDb(dir)
  cache = new ReplayCache(db, () => NOW)
})

afterEach(() => {
  if (db.open) db.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('ReplayCache', () => {
  it('accepts a jti once per client', () => {
    expect(cache.claim('dps', 'j1', NOW + 60)).toBe(true)
    expect(cache.claim('dps', 'j1', NOW + 60)).toBe(false)
    expect(cache.claim('dps', 'j1', NOW + 120)).toBe(false)
    expect(cache.claim('other', 'j1', NOW + 60)).toBe(true)
    expect(cache.claim('dps', 'j2', NOW + 60)).toBe(true)
  })

  it('remembers claims across closing and reopening the database', () => {
    expect(cache.claim('dps', 'j1', NOW + 60)).toBe(true)
    db.close()
    db = openRecordsDb(dir)
    cache = new ReplayCache(db, () => NOW)
    expect(cache.claim('dps', 'j1', NOW + 60)).toBe(false)
  })

  it('purges only the claims whose exp is before the cut-off', () => {
    const claims = [
      { jti: 'old', exp: NOW - 100 },
      { jti: 'just', exp: NOW - 1 },
      { jti: 'edge', exp: NOW },
      { jti: 'live', exp: NOW + 60 },
    ]
    for (const { jti, exp } of claims) expect(cache.claim('dps', jti, exp)).toBe(true)
    expect(cache.purgeExpired(NOW)).toBe(2)
    expect(cache.purgeExpired(NOW)).toBe(0)
    const again = claims.map(({ jti, exp }) => [jti, cache.claim('dps', jti, exp)])
    expect(again).toEqual([
      ['old', true],
      ['just', true],
      ['edge', false],
      ['live', false],
    ])
  })

  it('commits with a full sync and restores the connection’s level', () => {
    expect(db.pragma('synchronous', { simple: true })).toBe(1)
    expect(cache.claim('dps', 'j1', NOW + 60)).toBe(true)
    expect(db.pragma('synchronous', { simple: true })).toBe(1)
  })

  it('works inside a caller’s transaction', () => {
    const both = db.transaction(() => [
      cache.claim('dps', 'j1', NOW + 60),
      cache.claim('dps', 'j1', NOW + 60),
    ])
    expect(both()).toEqual([true, false])
    expect(cache.claim('dps', 'j1', NOW + 60)).toBe(false)
  })
})
