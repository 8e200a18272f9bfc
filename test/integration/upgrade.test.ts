// @vitest-environment node
import Database from 'better-sqlite3'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClientView, KeyView, TokenRecordView } from '../../shared/contract/index.js'
import { openApp, type App } from '../../electron/app.js'
import { parseTokenRequest } from '../../electron/oauth/token-request.js'
import { RECORDS_MIGRATIONS } from '../../electron/platform/records-schema.js'
import { openHeadlessSettings } from '../../electron/app-settings.js'
import { toErrorShape } from '../../shared/errors.js'
import { FakeKeychain, recordingLogger } from '../helpers/fakes.js'

/**
 * A data directory written by 0.1.0 (test/fixtures/README.md) opened by today's code: the
 * records database is migrated in place, and the clients, keys, ledger and audit chain that
 * release wrote are all there and still work.
 */

const FIXTURE = join(__dirname, '..', 'fixtures', 'data-dir-0.1.0')

/** What the 0.1.0 CLI reported while writing the fixture. */
interface Expected {
  madeAt: number
  passphrase: string
  clientSecret: { id: string; secret: string }
  clients: ClientView[]
  keys: KeyView[]
  tokens: { first: string; revoked: string; afterRotation: string }
  ledger: { items: TokenRecordView[]; total: number }
  audit: { ok: boolean; entries: number }
}
const expected = JSON.parse(
  readFileSync(join(FIXTURE, '../data-dir-0.1.0.json'), 'utf8'),
) as Expected

// A minute after the fixture was written: its tokens are live, its retiring key still published.
const now = expected.madeAt + 60
let dataDir: string
let app: App

const userVersion = (): number => {
  const db = new Database(join(dataDir, 'records.sqlite3'), { readonly: true })
  try {
    return db.pragma('user_version', { simple: true }) as number
  } finally {
    db.close()
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'plgd-m2m-upgrade-'))
  cpSync(FIXTURE, dataDir, { recursive: true })
  expect(userVersion()).toBe(0) // as every release before migrations left it
  app = await openApp({
    dataDir,
    settings: openHeadlessSettings(dataDir),
    // A passphrase vault: the keychain must not be asked.
    keychain: new FakeKeychain('unreachable'),
    log: recordingLogger(),
    passphrase: () => Promise.resolve(expected.passphrase),
    nowSeconds: () => now,
  })
})

afterAll(async () => {
  await app?.close()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

describe('a data directory written by 0.1.0', () => {
  it('keeps its clients and their policies', () => {
    // Fingerprints are newer than 0.1.0: derived from the stored hashes, not stored.
    const listed = app.clients.list()
    for (const s of listed.flatMap((c) => c.secrets)) expect(s.fingerprint).toMatch(/^[0-9a-f]{8}$/)
    const withoutFingerprints = listed.map((c) => ({
      ...c,
      secrets: c.secrets.map(({ fingerprint: _f, ...rest }) => rest),
    }))
    expect(withoutFingerprints).toEqual(expected.clients)
    expect(app.clients.list().map((c) => c.id)).toEqual(['dps', 'svc'])
  })

  it('keeps its signing keys, rotation states included', () => {
    expect(app.keys.list()).toEqual(expected.keys)
    expect(app.keys.list().map((k) => k.state)).toEqual(['active', 'next', 'retiring'])
  })

  it('keeps its ledger, the revoked token revoked', () => {
    const all = app.ledger.page({ status: 'all', offset: 0, limit: 100 }, now)
    expect(all).toEqual(expected.ledger)
    expect(all.total).toBe(3)
    expect(app.ledger.get(expected.tokens.revoked)?.blacklisted?.flag).toBe(true)
    expect(app.ledger.get(expected.tokens.first)?.blacklisted).toBeNull()
    const revoked = app.ledger.page({ status: 'revoked', offset: 0, limit: 100 }, now)
    expect(revoked.items.map((t) => t.id)).toEqual([expected.tokens.revoked])
  })

  it('keeps an audit chain that verifies, the first start of this version recorded after it', () => {
    expect(expected.audit).toEqual({ ok: true, entries: 8 })
    // Issue 16: the settings get their integrity tag on the first start, audited.
    expect(app.audit.verify()).toEqual({ ok: true, entries: expected.audit.entries + 1 })
    expect(app.audit.list(0, 1).items[0]).toMatchObject({
      seq: 9,
      actor: 'upgrade',
      action: 'settings.integrity_enabled',
    })
  })

  it('has its records database at the latest schema', () => {
    expect(userVersion()).toBe(RECORDS_MIGRATIONS.length)
  })

  it('issues a token to the old client secret that verifies against the old keys', async () => {
    const { id, secret } = expected.clientSecret
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: id,
      client_secret: secret,
      audience: 'https://hub.example',
    })
    const request = parseTokenRequest(
      'application/x-www-form-urlencoded',
      Buffer.from(body.toString()),
      undefined,
    )
    const response = await app.tokens.issueForRequest(request, '127.0.0.1')

    const jwks = createLocalJWKSet(JSON.parse(app.keys.jwksJson()) as { keys: [] })
    const { payload, protectedHeader } = await jwtVerify(response.access_token, jwks, {
      issuer: app.urls().issuer,
      audience: 'https://hub.example',
      currentDate: new Date(now * 1000),
    })
    expect(protectedHeader.kid).toBe(expected.keys.find((k) => k.state === 'active')?.kid)
    expect(payload).toMatchObject({ client_id: 'dps', sub: 'alice', tier: 2 })
    // Recorded (committed before the response) beside the three old ones.
    expect(app.ledger.get(payload.jti!)?.clientId).toBe('dps')
    expect(app.ledger.page({ status: 'all', offset: 0, limit: 100 }, now).total).toBe(4)

    // A new administrative act chains onto the old entries.
    app.audit.append({ actor: 'test', action: 'client.enable', subject: 'svc' })
    expect(app.audit.verify()).toEqual({ ok: true, entries: 10 })
  })
})

describe('a data directory written by 0.1.0, after its first start', () => {
  it('is tagged: stripping the tag and adding a client is refused at the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plgd-m2m-upgrade-tag-'))
    const openDir = () =>
      openApp({
        dataDir: dir,
        settings: openHeadlessSettings(dir),
        keychain: new FakeKeychain('unreachable'),
        log: recordingLogger(),
        passphrase: () => Promise.resolve(expected.passphrase),
        nowSeconds: () => now,
      })
    try {
      cpSync(FIXTURE, dir, { recursive: true })
      await (await openDir()).close()
      const file = join(dir, 'settings.json')
      const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & {
        clients: Record<string, unknown>
      }
      expect(data.integrity).toMatchObject({ v: 1, audit: { count: 9 } })
      // Made to look like a 0.1.0 file again, with a client of the intruder's.
      delete data.integrity
      data.clients.intruder = { ...(data.clients.dps as object), id: 'intruder' }
      writeFileSync(file, JSON.stringify(data))
      const err = await openDir().then(
        (a) => a.close(),
        (e: unknown) => e,
      )
      expect(toErrorShape(err)).toEqual({
        code: 'conflict',
        message: expect.stringContaining('its integrity record was removed'),
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('a data directory written by a newer version', () => {
  it('is refused with a message the user sees, not an internal error, and left as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plgd-m2m-newer-'))
    try {
      cpSync(FIXTURE, dir, { recursive: true })
      const db = new Database(join(dir, 'records.sqlite3'))
      db.pragma(`user_version = ${RECORDS_MIGRATIONS.length + 1}`)
      db.close()
      const opening = openApp({
        dataDir: dir,
        settings: openHeadlessSettings(dir),
        keychain: new FakeKeychain('unreachable'),
        log: recordingLogger(),
        passphrase: () => Promise.resolve(expected.passphrase),
      })
      const err = await opening.then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(toErrorShape(err)).toEqual({
        code: 'conflict',
        message: expect.stringContaining('the records database was written by a newer version'),
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
