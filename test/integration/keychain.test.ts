// @vitest-environment node
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { deletePassword, findCredentials, getPassword } from 'keytar'
import { afterAll, describe, expect, it } from 'vitest'
import {
  FORM,
  basicAuth,
  cliJson,
  httpRequest,
  jsonError,
  killAllServes,
  makeTempDir,
  removeTempDirs,
  runCli,
  startServe,
  type EnvOverrides,
} from '../helpers/cli.js'

/**
 * The vault against the real Secret Service of test/with-keychain.sh (a private D-Bus session
 * with gnome-keyring): one keychain entry per data directory, nothing secret in the files, and
 * clear failures when the keychain entry or the keychain itself is gone.
 */

const SERVICE = 'plgd-m2m-console'
const accountFor = (dataDir: string): string => `wrapping-key:${dataDir}`
const PASSPHRASE = 'correct horse battery staple'

interface Credentials {
  clientId: string
  clientSecret: string
}

function settingsText(dataDir: string): string {
  return readFileSync(join(dataDir, 'settings.json'), 'utf8')
}

function settings(dataDir: string): Record<string, unknown> {
  return JSON.parse(settingsText(dataDir)) as Record<string, unknown>
}

async function entriesFor(dataDir: string): Promise<{ account: string; password: string }[]> {
  return (await findCredentials(SERVICE)).filter((c) => c.account === accountFor(dataDir))
}

/** Every encoding a 32-byte or DER secret might be written in. */
function encodings(bytes: Buffer): string[] {
  return [bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')]
}

/** Every property name in a JSON value, recursively. */
function propertyNames(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) propertyNames(v, out)
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.add(k)
      propertyNames(v, out)
    }
  }
  return out
}

afterAll(async () => {
  await killAllServes()
  removeTempDirs()
})

describe('keychain vault', () => {
  it(
    'creates exactly one keychain entry for a fresh data directory and reuses it',
    { timeout: 60_000 },
    async () => {
      const dataDir = makeTempDir()
      const before = await findCredentials(SERVICE)
      const creds = await cliJson<Credentials>(['clients', 'add', '--id', 'k1', '--owner', '1'], {
        dataDir,
      })
      const after = await findCredentials(SERVICE)
      expect(after.length).toBe(before.length + 1)
      const mine = await entriesFor(dataDir)
      expect(mine).toHaveLength(1)
      const wrappingKey = mine[0]!.password
      expect(Buffer.from(wrappingKey, 'base64')).toHaveLength(32)
      expect(settings(dataDir).vault).toMatchObject({
        mode: 'keychain',
        account: accountFor(dataDir),
      })

      // Restarts: more commands and a serve run reuse the same entry.
      await cliJson(['keys', 'list'], { dataDir })
      await cliJson(['token', 'issue', '--client', 'k1'], { dataDir })
      const server = await startServe(dataDir)
      const res = await httpRequest(server.ready.tokenEndpoint, {
        method: 'POST',
        agent: server.agent,
        headers: {
          'content-type': FORM,
          authorization: basicAuth(creds.clientId, creds.clientSecret),
        },
        body: 'grant_type=client_credentials',
      })
      expect(res.status, res.text).toBe(200)
      await server.stop()
      await cliJson(['clients', 'list'], { dataDir })

      expect((await findCredentials(SERVICE)).length).toBe(after.length)
      const still = await entriesFor(dataDir)
      expect(still).toHaveLength(1)
      expect(still[0]!.password).toBe(wrappingKey)
    },
  )

  it('keeps no private key, pepper or client secret in plaintext on disk', async () => {
    const dataDir = makeTempDir()
    const creds = await cliJson<Credentials>(['clients', 'add', '--id', 'k2', '--owner', '1'], {
      dataDir,
    })
    // A key whose private bytes the test knows, imported and made active.
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey
    const pem = key.export({ format: 'pem', type: 'sec1' }) as string
    const pemFile = join(makeTempDir(), 'key.pem')
    writeFileSync(pemFile, pem, { mode: 0o600 })
    await cliJson(['keys', 'import', pemFile, '--activate'], { dataDir })
    await cliJson(['token', 'issue', '--client', 'k2'], { dataDir })
    // serve also creates the TLS CA and server keys.
    const server = await startServe(dataDir)
    await server.stop()

    const wrappingKey = Buffer.from((await entriesFor(dataDir))[0]!.password, 'base64')
    const jwkD = key.export({ format: 'jwk' }).d!
    const pemBody = pem
      .split('\n')
      .filter((l) => l && !l.startsWith('-----'))
      .join('')
    const forbidden: Record<string, string[]> = {
      'client secret': [creds.clientSecret],
      'imported key (PEM body)': [pemBody],
      'imported key (PKCS#8 DER)': encodings(key.export({ format: 'der', type: 'pkcs8' })),
      'imported key (SEC1 DER)': encodings(key.export({ format: 'der', type: 'sec1' })),
      'imported key (private scalar)': [jwkD, Buffer.from(jwkD, 'base64url').toString('hex')],
      'keychain wrapping key': encodings(wrappingKey),
      'a PEM private key': ['PRIVATE KEY'],
    }
    const files = readdirSync(dataDir).filter((f) => !f.endsWith('.sock'))
    expect(files).toContain('settings.json')
    const leaks: string[] = []
    for (const file of files) {
      const content = readFileSync(join(dataDir, file)).toString('latin1')
      for (const [what, needles] of Object.entries(forbidden)) {
        if (needles.some((n) => content.includes(n))) leaks.push(`${file}: ${what}`)
      }
    }
    expect(leaks).toEqual([])

    const stored = settings(dataDir)
    // No private JWK member anywhere; the pepper and keys are there, sealed.
    expect(propertyNames(stored).has('d')).toBe(false)
    expect(typeof stored.pepperSealed).toBe('string')
    expect(Buffer.from(stored.pepperSealed as string, 'base64url').length).not.toBe(32)
    const keys = stored.keys as { privateKeySealed?: unknown }[]
    expect(keys.length).toBeGreaterThanOrEqual(2)
    for (const k of keys) expect(typeof k.privateKeySealed).toBe('string')
    expect(readFileSync(join(dataDir, 'ca.pem'), 'utf8')).not.toContain('PRIVATE KEY')
  })

  it(
    'fails with vault_locked when the keychain entry is deleted, and creates no new key',
    { timeout: 60_000 },
    async () => {
      const dataDir = makeTempDir()
      await cliJson(['clients', 'add', '--id', 'k3', '--owner', '1'], { dataDir })
      const before = settingsText(dataDir)
      expect(await deletePassword(SERVICE, accountFor(dataDir))).toBe(true)
      const count = (await findCredentials(SERVICE)).length

      for (const args of [
        ['clients', 'list'],
        ['clients', 'add', '--id', 'k3b', '--owner', '1'],
        ['token', 'issue', '--client', 'k3'],
        ['serve', '--listen', '127.0.0.1:0'],
      ]) {
        const result = await runCli([...args, '--json'], { dataDir, timeoutMs: 15_000 })
        const label = `${args.join(' ')}: ${result.stderr}`
        expect(result.timedOut, label).toBe(false)
        expect(result.code, label).not.toBe(0)
        const error = jsonError(result)
        expect(error.code, label).toBe('vault_locked')
        expect(error.message).toMatch(/keychain/)
      }
      expect(settingsText(dataDir)).toBe(before)
      expect(await getPassword(SERVICE, accountFor(dataDir))).toBeNull()
      expect((await findCredentials(SERVICE)).length).toBe(count)
    },
  )

  it('reports an unreachable Secret Service as keychain_unavailable, pointing to --vault passphrase', async () => {
    const deadBus: EnvOverrides = {
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(makeTempDir(), 'no-such-bus')}`,
    }
    const fresh = makeTempDir()
    const result = await runCli(['clients', 'list', '--json'], {
      dataDir: fresh,
      env: deadBus,
      timeoutMs: 15_000,
    })
    expect(result.timedOut).toBe(false)
    expect(result.code).not.toBe(0)
    const error = jsonError(result)
    expect(error.code).toBe('keychain_unavailable')
    expect(error.message).toContain('--vault passphrase')
    // Nothing was created that a later run would have to trust.
    if (existsSync(join(fresh, 'settings.json'))) {
      const stored = settings(fresh)
      expect(stored.vault).toBeUndefined()
      expect(stored.pepperSealed).toBeUndefined()
      expect(stored.keys ?? []).toEqual([])
    }
    expect(await entriesFor(fresh)).toEqual([])

    // A directory that already uses the keychain: unavailable, not "locked" or re-created.
    const existing = makeTempDir()
    await cliJson(['clients', 'add', '--id', 'k4', '--owner', '1'], { dataDir: existing })
    const before = settingsText(existing)
    const again = await runCli(['clients', 'list', '--json'], {
      dataDir: existing,
      env: deadBus,
      timeoutMs: 15_000,
    })
    expect(again.code).not.toBe(0)
    expect(jsonError(again).code).toBe('keychain_unavailable')
    expect(settingsText(existing)).toBe(before)
    expect(await entriesFor(existing)).toHaveLength(1)
  })
})

describe('passphrase vault', () => {
  it(
    'works with PLGD_M2M_VAULT_PASSPHRASE or --vault-passphrase-file, and refuses a wrong one',
    { timeout: 60_000 },
    async () => {
      const dataDir = makeTempDir()
      const env: EnvOverrides = { PLGD_M2M_VAULT_PASSPHRASE: PASSPHRASE }
      const count = (await findCredentials(SERVICE)).length
      const creds = await cliJson<Credentials>(
        ['clients', 'add', '--id', 'p1', '--owner', '1', '--vault', 'passphrase'],
        { dataDir, env },
      )
      expect(settings(dataDir).vault).toMatchObject({ mode: 'passphrase' })
      expect(settingsText(dataDir)).not.toContain(PASSPHRASE)
      expect(settingsText(dataDir)).not.toContain(creds.clientSecret)
      // The keychain is not involved.
      expect(await entriesFor(dataDir)).toEqual([])
      expect((await findCredentials(SERVICE)).length).toBe(count)

      const listed = await cliJson<{ id: string }[]>(['clients', 'list'], { dataDir, env })
      expect(listed.map((c) => c.id)).toEqual(['p1'])

      const wrong = await runCli(['clients', 'list', '--json'], {
        dataDir,
        env: { PLGD_M2M_VAULT_PASSPHRASE: 'wrong passphrase here' },
      })
      expect(wrong.code).not.toBe(0)
      expect(jsonError(wrong).code).toBe('vault_locked')

      const none = await runCli(['clients', 'list', '--json'], { dataDir })
      expect(none.code).not.toBe(0)
      expect(jsonError(none).code).toBe('vault_passphrase_required')

      const secrets = makeTempDir()
      const goodFile = join(secrets, 'good')
      writeFileSync(goodFile, `${PASSPHRASE}\n`, { mode: 0o600 })
      const fromFile = await cliJson<{ id: string }[]>(
        ['clients', 'list', '--vault-passphrase-file', goodFile],
        { dataDir },
      )
      expect(fromFile.map((c) => c.id)).toEqual(['p1'])
      const badFile = join(secrets, 'bad')
      writeFileSync(badFile, 'not the passphrase\n', { mode: 0o600 })
      const fromBadFile = await runCli(
        ['clients', 'list', '--vault-passphrase-file', badFile, '--json'],
        { dataDir },
      )
      expect(fromBadFile.code).not.toBe(0)
      expect(jsonError(fromBadFile).code).toBe('vault_locked')

      // serve unlocks it the same way and the client's secret still works.
      const server = await startServe(dataDir, [], { env })
      try {
        const res = await httpRequest(server.ready.tokenEndpoint, {
          method: 'POST',
          agent: server.agent,
          headers: {
            'content-type': FORM,
            authorization: basicAuth(creds.clientId, creds.clientSecret),
          },
          body: 'grant_type=client_credentials',
        })
        expect(res.status, res.text).toBe(200)
      } finally {
        await server.stop()
      }
      expect(await entriesFor(dataDir)).toEqual([])
    },
  )
})
