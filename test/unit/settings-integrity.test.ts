// @vitest-environment node
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openApp, type App } from '../../electron/app.js'
import { openHeadlessSettings } from '../../electron/app-settings.js'
import { parseTokenRequest } from '../../electron/oauth/token-request.js'
import { toErrorShape } from '../../shared/errors.js'
import { FakeKeychain, MemorySettings, recordingLogger } from '../helpers/fakes.js'
import { SettingsIntegrity } from '../../electron/secrets/settings-integrity.js'

/**
 * Issue 16 item 3: clients, trusted authorities and keys are authenticated under a key derived
 * from the vault's wrapping key. Whoever can write settings.json but not read the keychain
 * cannot add a client (with their own JWKS) unnoticed: the next start refuses, names what
 * changed and how to recover; accepting the change is explicit and audited.
 */

let dataDir: string
let keychain: FakeKeychain
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'plgd-m2m-integrity-'))
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

const settingsFile = (): string => join(dataDir, 'settings.json')
/** The parts of settings.json these tests edit, as an intruder would with a text editor. */
interface SettingsJson {
  clients: Record<string, unknown>
  issuer: { trustedAuthorities: unknown[] }
  keys: { state: string }[]
  integrity?: { digests: Record<string, string> }
}
const editSettings = (edit: (data: SettingsJson) => void): void => {
  const data = JSON.parse(readFileSync(settingsFile(), 'utf8')) as SettingsJson
  edit(data)
  writeFileSync(settingsFile(), JSON.stringify(data, null, '\t'))
}

/** An attacker's client: their own JWKS, any owner. */
const FORGED_CLIENT = {
  id: 'intruder',
  owner: 'victim',
  allowedOwners: ['*'],
  allowDeviceId: true,
  auth: { method: 'private_key_jwt', jwksUri: 'https://attacker.example/jwks' },
  audiences: [],
  scopes: [],
  maxLifetimeSeconds: 86400,
  extraClaims: {},
  tokenType: 'jwt',
  disabled: false,
  createdAt: 1,
  updatedAt: 1,
  secrets: [],
}

async function refusal(): Promise<{ code: string; message: string }> {
  const outcome = await open().then(
    async (app) => {
      await app.close()
      return undefined
    },
    (err: unknown) => err,
  )
  if (outcome === undefined) throw new Error('expected the start to be refused')
  return toErrorShape(outcome)
}

async function firstStart(): Promise<void> {
  const app = await open()
  app.clients.add({ id: 'dps', owner: '1' })
  await app.close()
}

describe('settings integrity', () => {
  it('opens again after its own writes (clients, keys, authorities, audit)', async () => {
    await firstStart()
    const app = await open()
    app.clients.add({ id: 'svc', owner: '2' })
    await app.keys.rotate()
    app.settings.set('issuer', {
      ...app.issuerSettings(),
      trustedAuthorities: [{ issuer: 'https://auth.example', jwksUri: 'https://auth.example/k' }],
    } as never)
    app.audit.append({ actor: 'test', action: 'client.created', subject: 'svc' })
    await app.close()
    const again = await open()
    expect(again.clients.list().map((c) => c.id)).toEqual(['dps', 'svc'])
    await again.close()
  })

  it('refuses a client added to settings.json behind its back, naming the section and the way back', async () => {
    await firstStart()
    editSettings((d) => (d.clients.intruder = FORGED_CLIENT))
    const shape = await refusal()
    expect(shape.code).toBe('conflict')
    expect(shape.message).toContain(settingsFile())
    expect(shape.message).toContain('changed: the client registry (clients)')
    expect(shape.message).not.toContain('trusted authorities')
    expect(shape.message).toContain('restore a backup of settings.json')
    expect(shape.message).toContain(`serve --accept-settings-change --data-dir ${dataDir}`)
  })

  it('refuses a changed trusted authority and a changed key list, each named', async () => {
    await firstStart()
    editSettings((d) =>
      d.issuer.trustedAuthorities.push({ issuer: 'https://evil.example', jwksUri: 'https://e/k' }),
    )
    expect((await refusal()).message).toContain(
      'changed: the trusted authorities (issuer.trustedAuthorities)',
    )
    editSettings((d) => (d.issuer.trustedAuthorities = []))
    editSettings((d) => (d.keys[0]!.state = 'retired'))
    expect((await refusal()).message).toContain('changed: the signing key list (keys)')
  })

  it('refuses settings whose integrity record was removed or forged', async () => {
    await firstStart()
    const saved = readFileSync(settingsFile(), 'utf8')
    editSettings((d) => {
      delete d.integrity
      d.clients.intruder = FORGED_CLIENT
    })
    expect((await refusal()).message).toContain('its integrity record was removed')
    writeFileSync(settingsFile(), saved)
    editSettings((d) => {
      d.clients.intruder = FORGED_CLIENT
      d.integrity!.digests.clients = 'AAAA'
    })
    expect((await refusal()).message).toContain('its integrity record was edited')
  })

  it('accepts the change only when asked, with an audit entry, and opens normally after', async () => {
    await firstStart()
    editSettings((d) => (d.clients.intruder = FORGED_CLIENT))
    const accepted = await open(true)
    const [entry] = accepted.audit.list(0, 1).items
    expect(entry).toMatchObject({
      actor: 'cli',
      action: 'settings.change_accepted',
      details: { sections: ['clients'] },
    })
    expect(accepted.audit.verify().ok).toBe(true)
    await accepted.close()
    const app = await open()
    expect(app.clients.find('intruder')).toBeDefined()
    await app.close()
  })

  it('restoring the backup (the file as the program wrote it) opens again', async () => {
    await firstStart()
    const backup = readFileSync(settingsFile(), 'utf8')
    editSettings((d) => (d.clients.intruder = FORGED_CLIENT))
    await refusal()
    writeFileSync(settingsFile(), backup)
    const app = await open()
    expect(app.clients.find('intruder')).toBeUndefined()
    await app.close()
  })

  it('writes a section and its tag in one write of the file, so a crash leaves both or neither', async () => {
    class BatchedSettings extends MemorySettings {
      readonly batches: string[][] = []
      setMany(values: Record<string, unknown>): void {
        this.batches.push(Object.keys(values))
        for (const [key, value] of Object.entries(values)) this.set(key as never, value as never)
      }
    }
    const settings = new BatchedSettings()
    const app = await openApp({ dataDir, settings, keychain, log: recordingLogger() })
    try {
      settings.batches.length = 0
      app.clients.add({ id: 'dps', owner: '1' })
      expect(settings.batches).toEqual([['clients', 'integrity']])
    } finally {
      await app.close()
    }
  })

  it('costs token issuing nothing: no settings write per token', async () => {
    const settings = new MemorySettings()
    const app = await openApp({ dataDir, settings, keychain, log: recordingLogger() })
    try {
      const { clientSecret } = app.clients.add({ id: 'dps', owner: '1' })
      const writes = settings.writes.length
      const body = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'dps',
        client_secret: clientSecret!,
      })
      for (let i = 0; i < 5; i++) {
        const request = parseTokenRequest(
          'application/x-www-form-urlencoded',
          Buffer.from(body.toString()),
          undefined,
        )
        expect((await app.tokens.issueForRequest(request, '127.0.0.1')).access_token).toBeTruthy()
      }
      expect(settings.writes.slice(writes)).toEqual([])
    } finally {
      await app.close()
    }
  })
})

describe('the deferred audit anchor', () => {
  it('reports a failed write instead of throwing where nothing can catch it', async () => {
    const errors: unknown[] = []
    let fail = true
    const saved: unknown[] = []
    const integrity = new SettingsIntegrity(
      Buffer.alloc(32, 7),
      {
        read: { clients: () => ({}), trustedAuthorities: () => [], keys: () => [] },
        load: () => undefined,
        save: (record) => {
          if (fail) throw new Error('EACCES: permission denied')
          saved.push(record)
        },
      },
      (err) => errors.push(err),
    )
    integrity.anchorAuditSoon({ count: 1, head: 'h1' })
    await new Promise((resolve) => setImmediate(resolve))
    expect((errors[0] as Error).message).toContain('EACCES')
    // The anchor stays in memory; the next write carries it.
    fail = false
    integrity.anchorAudit({ count: 2, head: 'h2' })
    expect(saved).toHaveLength(1)
    expect(integrity.auditAnchor()).toEqual({ count: 2, head: 'h2' })
  })
})
