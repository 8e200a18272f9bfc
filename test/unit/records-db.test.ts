// @vitest-environment node
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openRecordsDb } from '../../electron/platform/records-db.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('openRecordsDb', () => {
  it('opens an owner-only WAL database with a small page cache', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plgd-m2m-records-'))
    dirs.push(dir)
    const db = openRecordsDb(dir)
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
      expect(db.pragma('synchronous', { simple: true })).toBe(1) // NORMAL
      // Not better-sqlite3's 16 MiB default: each connection (the signing thread has its own)
      // would keep that much after a burst of issuing.
      expect(db.pragma('cache_size', { simple: true })).toBe(-2048)
      expect(statSync(join(dir, 'records.sqlite3')).mode & 0o777).toBe(0o600)
    } finally {
      db.close()
    }
  })
})
