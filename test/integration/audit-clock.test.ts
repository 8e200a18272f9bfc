// @vitest-environment node
import { generateKeyPairSync } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  cliJson,
  decodeJwt,
  jsonError,
  jsonLines,
  killAllServes,
  makeTempDir,
  removeTempDirs,
  runCli,
  type ServeHandle,
  startServe,
} from '../helpers/cli.js'

/**
 * The audit log of administrative acts (hash-chained, append-only, no secrets) through the CLI,
 * tampering with it behind the product's back, the `iat` backdate setting and the clock-skew
 * probe against a real issuer.
 */

interface Credentials {
  clientId: string
  clientSecret: string
}

interface AuditEntry {
  seq: number
  at: number
  actor: string
  action: string
  subject: string
  details: Record<string, unknown>
  hash: string
}

interface ExportLine extends AuditEntry {
  prevHash: string
}

interface Issued {
  accessToken: string
  jti: string
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000)

let dataDir: string
let secrets: string[]
let pem: string
let importedKid: string
let rotatedKid: string
let control: { issued: Issued; before: number; after: number }
let backdated: { issued: Issued; before: number; after: number; settings: Record<string, unknown> }
/** Another issuer, to measure the clock of. */
let other: ServeHandle

async function issueTimed(): Promise<{ issued: Issued; before: number; after: number }> {
  const before = nowSeconds()
  const issued = await cliJson<Issued>(['token', 'issue', '--client', 'svc'], { dataDir })
  return { issued, before, after: nowSeconds() }
}

beforeAll(async () => {
  dataDir = makeTempDir()
  const pemFile = join(makeTempDir(), 'import.pem')
  pem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString()
  writeFileSync(pemFile, pem, { mode: 0o600 })

  const administer = async (): Promise<void> => {
    const ops = await cliJson<Credentials>(['clients', 'add', '--id', 'ops', '--owner', '1'], {
      dataDir,
    })
    const svc = await cliJson<Credentials>(['clients', 'add', '--id', 'svc', '--owner', '1'], {
      dataDir,
    })
    // Three independent chains: the CLI calls wait for each other on the data directory's
    // lock, but their process start-ups overlap.
    const clientChain = async (): Promise<string> => {
      const rotated = await cliJson<Credentials>(['clients', 'rotate-secret', 'ops'], { dataDir })
      await cliJson(['clients', 'disable', 'ops'], { dataDir })
      return rotated.clientSecret
    }
    const keyChain = async (): Promise<void> => {
      const keys = await cliJson<{ kid: string; state: string }[]>(['keys', 'rotate'], { dataDir })
      rotatedKid = keys.find((k) => k.state === 'active')!.kid
      importedKid = (await cliJson<{ kid: string }>(['keys', 'import', pemFile], { dataDir })).kid
    }
    const tokenChain = async (): Promise<void> => {
      control = await issueTimed()
      await cliJson(['token', 'revoke', control.issued.jti], { dataDir })
    }
    const [rotatedSecret] = await Promise.all([clientChain(), keyChain(), tokenChain()])
    secrets = [ops.clientSecret, svc.clientSecret, rotatedSecret]
    const settings = await cliJson<Record<string, unknown>>(
      ['settings', 'set', '--iat-backdate', '5'],
      { dataDir },
    )
    backdated = { ...(await issueTimed()), settings }
  }
  const [serve] = await Promise.all([startServe(makeTempDir()), administer()])
  other = serve
})

afterAll(async () => {
  try {
    await other?.stop()
  } finally {
    await killAllServes()
    removeTempDirs()
  }
})

describe('the audit log', () => {
  it('records every administrative act', async () => {
    const page = await cliJson<{ items: AuditEntry[]; total: number }>(['audit', 'list'], {
      dataDir,
    })
    expect(page.total).toBe(page.items.length)
    const acts = page.items.map((e) => `${e.action} ${e.subject}`)
    expect(acts).toEqual(
      expect.arrayContaining([
        'client.created ops',
        'client.created svc',
        'client.secret_rotated ops',
        'client.disabled ops',
        `key.rotated ${rotatedKid}`,
        `key.imported ${importedKid}`,
        `token.revoked ${control.issued.jti}`,
        'settings.changed issuer',
      ]),
    )
    const settings = page.items.find((e) => e.action === 'settings.changed')
    expect(settings?.details.keys).toEqual(['iatBackdateSeconds'])
    expect(page.items.every((e) => e.actor === 'cli')).toBe(true)
    // Newest first, consecutive sequence numbers.
    expect(page.items.map((e) => e.seq)).toEqual(
      Array.from({ length: page.total }, (_, i) => page.total - i),
    )
  })

  it('exports a hash chain without any secret, key or token in it', async () => {
    const result = await runCli(['audit', 'export'], { dataDir })
    expect(result.code, result.stderr).toBe(0)
    const text = result.stdout
    const lines = jsonLines(text) as ExportLine[]
    expect(lines.length).toBeGreaterThanOrEqual(10)
    expect(lines[0]?.prevHash).toBe('0'.repeat(64))
    for (let i = 1; i < lines.length; i++) expect(lines[i]?.prevHash).toBe(lines[i - 1]?.hash)

    const leaks: string[] = []
    for (const secret of secrets) if (text.includes(secret)) leaks.push('a client secret')
    if (/PRIVATE KEY/.test(text)) leaks.push('a PEM header')
    const pemBody = pem.split('\n').filter((l) => l !== '' && !l.startsWith('-----'))
    for (const line of pemBody) if (text.includes(line)) leaks.push(`PEM line ${line}`)
    const der = pemBody.join('')
    for (const form of [der, Buffer.from(der, 'base64').toString('base64url')]) {
      if (text.includes(form.slice(40, 80))) leaks.push('the key material')
    }
    for (const { issued } of [control, backdated]) {
      if (text.includes(issued.accessToken.split('.')[2]!)) leaks.push('an access token')
    }
    expect(leaks).toEqual([])
  })

  it('verifies an intact log (exit 0)', async () => {
    const result = await runCli(['audit', 'verify', '--json'], { dataDir })
    expect(result.code, result.stderr).toBe(0)
    const verification = JSON.parse(result.stdout) as { ok: boolean; entries: number }
    expect(verification.ok).toBe(true)
    expect(verification.entries).toBeGreaterThanOrEqual(10)
  })

  it('names the entry that was edited behind its back (exit non-zero)', async () => {
    const db = new Database(join(dataDir, 'records.sqlite3'))
    let seq: number
    try {
      const target = db
        .prepare("SELECT seq FROM audit WHERE action = 'client.secret_rotated'")
        .get() as { seq: number }
      seq = target.seq
      // The guards hold against a plain UPDATE...
      expect(() =>
        db.prepare('UPDATE audit SET details = \'{"graceSeconds":9}\' WHERE seq = ?').run(seq),
      ).toThrow(/append-only/)
      // ...until someone who can write the file drops them.
      const triggers = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'")
        .all() as { name: string }[]
      expect(triggers.length).toBeGreaterThanOrEqual(2)
      for (const { name } of triggers) db.exec(`DROP TRIGGER "${name.replace(/"/g, '""')}"`)
      const changed = db
        .prepare('UPDATE audit SET details = \'{"graceSeconds":9}\' WHERE seq = ?')
        .run(seq)
      expect(changed.changes).toBe(1)
    } finally {
      db.close()
    }

    const result = await runCli(['audit', 'verify', '--json'], { dataDir })
    expect(result.code).not.toBe(0)
    expect(result.code).not.toBeNull()
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, brokenAt: seq })
    const human = await runCli(['audit', 'verify'], { dataDir })
    expect(human.code).not.toBe(0)
    expect(human.stdout).toMatch(new RegExp(`\\bentry ${seq}\\b`))
  })
})

describe('iat backdate', () => {
  it('sets iat to now by default, and 5 s earlier after settings set --iat-backdate 5', () => {
    const iat0 = Number(decodeJwt(control.issued.accessToken).payload.iat)
    expect(iat0).toBeGreaterThanOrEqual(control.before - 1)
    expect(iat0).toBeLessThanOrEqual(control.after + 1)

    expect(backdated.settings.iatBackdateSeconds).toBe(5)
    const iat = Number(decodeJwt(backdated.issued.accessToken).payload.iat)
    expect(iat).toBeGreaterThanOrEqual(backdated.before - 5 - 1)
    expect(iat).toBeLessThanOrEqual(backdated.after - 5 + 1)
  })
})

describe('clock skew', () => {
  const discoveryUrl = (): string =>
    `https://127.0.0.1:${new URL(other.ready.issuer).port}/m2m-oauth-server/.well-known/openid-configuration`

  it("measures a trusted issuer's clock as about ours", async () => {
    const skew = await cliJson<{ url: string; skewSeconds: number; roundTripMs: number }>(
      ['clock', 'skew', discoveryUrl()],
      { dataDir, env: { NODE_EXTRA_CA_CERTS: other.ready.caCertFile! } },
    )
    expect(skew.url).toBe(discoveryUrl())
    expect(typeof skew.skewSeconds).toBe('number')
    expect(skew.roundTripMs).toBeGreaterThanOrEqual(0)
    expect(skew.roundTripMs).toBeLessThan(5000)
    // Same machine, so truly 0: Date has one-second resolution, and a slow round trip moves
    // the midpoint estimate by up to half of it.
    expect(Math.abs(skew.skewSeconds)).toBeLessThanOrEqual(1 + skew.roundTripMs / 2000)
  })

  it('fails, and says so, when the server certificate is not trusted', async () => {
    const result = await runCli(['clock', 'skew', discoveryUrl(), '--json'], {
      dataDir,
      env: { NODE_EXTRA_CA_CERTS: undefined },
    })
    expect(result.code).not.toBe(0)
    expect(jsonError(result).message).toMatch(/the hub's certificate is not trusted: give its CA/)
    expect(jsonError(result).message).not.toMatch(/SSL|self.signed/i)
  })
})
