// @vitest-environment node
import { generateKeyPairSync } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createDispatcher, type Dispatch } from '../../electron/api/dispatcher.js'
import type { Envelope } from '../../shared/contract/index.js'
import type {
  ClientView,
  ClientWithSecret,
  KeyView,
  PlgdGraduation,
  PlgdImport,
} from '../../shared/contract/index.js'
import { openTestApp, type TestApp } from '../helpers/fakes.js'
import { checkChartValues } from '../helpers/plgd-chart-schema.js'
import { authenticates, loadPlgdConfig } from '../helpers/plgd-m2m-config.js'

/**
 * Graduation to plgd's m2m-oauth-server and import back (issue 15 items 3-4): what is rotated,
 * kept and skipped; the files read by the tests' own plgd config check; import(export(x)) = x.
 */

let source: TestApp
let cli: Dispatch
let dirs: string[] = []
const opened: TestApp[] = []

async function ok<T>(dispatch: Dispatch, method: string, input: unknown): Promise<T> {
  const e: Envelope<unknown> = await dispatch(method, input)
  if (!e.ok) {
    const logged = [source, ...opened].flatMap((t) =>
      t.log.entries.filter((l) => l.level === 'error'),
    )
    throw new Error(`${method}: ${e.error.code}: ${e.error.message} ${JSON.stringify(logged)}`)
  }
  return e.value as T
}
async function fails(dispatch: Dispatch, method: string, input: unknown): Promise<string> {
  const e: Envelope<unknown> = await dispatch(method, input)
  if (e.ok) throw new Error(`${method} succeeded: ${JSON.stringify(e.value).slice(0, 200)}`)
  return `${e.error.code}: ${e.error.message}`
}

function writeOut(files: PlgdGraduation['files']): string {
  const dir = mkdtempSync(join(tmpdir(), 'plgd-grad-'))
  dirs.push(dir)
  for (const f of files) {
    mkdirSync(join(dir, f.path, '..'), { recursive: true })
    writeFileSync(join(dir, f.path), f.content)
  }
  return dir
}

/** Files as the pod sees them: config paths under /secrets point into the export's secrets/. */
function asMounted(files: PlgdGraduation['files']): { yaml: string; dir: string } {
  const dir = writeOut(files)
  const config = files.find((f) => f.path === 'config.yaml')!.content
  return { yaml: config.replaceAll('/secrets/', `${dir}/secrets/`), dir }
}

const policyOf = (c: ClientView) => {
  const { createdAt: _c, updatedAt: _u, secrets: _s, ...policy } = c
  return policy
}

beforeEach(async () => {
  source = await openTestApp()
  cli = createDispatcher(source.app, 'cli')
  await ok(cli, 'clients.add', {
    id: 'dps',
    owner: 'owner-1',
    allowedOwners: ['owner-2'],
    allowDeviceId: true,
    audiences: ['https://hub.example'],
    scopes: ['r:*'],
    maxLifetimeSeconds: 3600,
    extraClaims: { site: 'lab', n: 3 },
    tokenType: 'at+jwt',
  })
  await ok(cli, 'clients.add', {
    id: 'users',
    auth: {
      method: 'user_assertion',
      authorities: [{ authority: 'https://idp.example/realms/x', caPem: 'CA PEM' }],
    },
  })
  await ok(cli, 'clients.add', {
    id: 'signed',
    owner: 'owner-1',
    auth: { method: 'private_key_jwt', jwksUri: 'https://client.example/jwks' },
  })
  await ok(cli, 'clients.add', { id: 'off', owner: 'owner-1' })
  await ok(cli, 'clients.setDisabled', { id: 'off', disabled: true })
})

afterEach(() => {
  for (const t of opened.splice(0)) t.close()
  source.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
  dirs = []
})

describe('export.plgd', () => {
  it('rotates secret clients, keeps user-assertion clients, skips private_key_jwt and disabled ones, with reasons', async () => {
    const before = await ok<ClientView>(cli, 'clients.get', { id: 'dps' })
    await ok(cli, 'tokens.issue', {
      clientId: 'dps',
      audiences: ['https://hub.example'],
      lifetimeSeconds: 1800,
    })
    source.app.ledger.flush()
    const g = await ok<PlgdGraduation>(cli, 'export.plgd', {
      includePrivateKey: true,
      graceSeconds: 600,
    })
    const outcome = Object.fromEntries(g.clients.map((c) => [c.id, c.outcome]))
    expect(outcome).toEqual({ dps: 'rotated', users: 'kept', signed: 'skipped', off: 'skipped' })
    expect(g.clients.find((c) => c.id === 'signed')!.reason).toMatch(/private_key_jwt.*no plgd/)
    expect(g.clients.find((c) => c.id === 'off')!.reason).toMatch(/disabled/)
    expect(g.clients.find((c) => c.id === 'dps')!.notInPlgd).toEqual([
      'allowedOwners',
      'allowDeviceId',
      'tokenType',
    ])
    // The old secret keeps its grace period; the new one is the one written.
    const after = await ok<ClientView>(cli, 'clients.get', { id: 'dps' })
    expect(after.secrets).toHaveLength(2)
    expect(after.secrets[1]!.fingerprint).toBe(before.secrets[0]!.fingerprint)
    expect(after.secrets[1]!.expiresAt).toBe(source.clock.now + 600)
    const secretFile = g.files.find((f) => f.path === 'secrets/clients/dps')!
    expect(secretFile.containsSecret).toBe(true)
    expect(source.app.clients.authenticate('dps', secretFile.content)?.id).toBe('dps')

    const { yaml } = asMounted(g.files)
    const served = loadPlgdConfig(yaml, '/')
    expect(served.clients.map((c) => c.id)).toEqual(['dps', 'users'])
    const dps = served.clients.find((c) => c.id === 'dps')!
    expect(authenticates(dps, secretFile.content)).toBe(true)
    expect(dps).toMatchObject({
      owner: 'owner-1',
      accessTokenLifetimeSeconds: 3600,
      allowedAudiences: ['https://hub.example'],
      allowedScopes: ['r:*'],
      insertTokenClaims: { site: 'lab', n: 3 },
    })
    const users = served.clients.find((c) => c.id === 'users')!
    expect(users.jwtPrivateKey).toEqual({
      enabled: true,
      authorities: ['https://idp.example/realms/x'],
      caPools: [Buffer.from('CA PEM')],
    })
    expect(users.owner).toBe('')
    // A key made here: plgd derives another kid, and the report says so with the fix.
    expect(served.jwks.keys[0]!.kid).toBe(g.key.plgdKid)
    expect(g.key.kidKept).toBe(false)
    const lastExpiry = new Date((source.clock.now + 1800) * 1000).toISOString()
    expect(g.notes.join('\n')).toMatch(/kid not kept.*authorization\.endpoints until/s)
    expect(g.notes.join('\n')).toContain(`expires (${lastExpiry})`)
    expect(served.issuer).toBe(source.app.urls().issuer)
    expect(served.ownerClaim).toBe(source.app.issuerSettings().ownerClaim)

    const actions = source.app.audit.list(0, 50).items.map((e: { action: string }) => e.action)
    expect(actions).toEqual(
      expect.arrayContaining(['client.secret_rotated', 'export.private_key', 'export.plgd']),
    )
  })

  it('keeps the kid of a key imported from plgd, and writes the Helm values of the chart', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ format: 'pem', type: 'sec1' })
      .toString()
    const key = await ok<KeyView>(cli, 'keys.import', { pem, activate: true })
    const g = await ok<PlgdGraduation>(cli, 'export.plgd', { includePrivateKey: true })
    expect(g.key).toMatchObject({ kid: key.kid, plgdKid: key.kid, kidKept: true })
    const served = loadPlgdConfig(asMounted(g.files).yaml, '/')
    expect(served.jwks.keys[0]).toMatchObject({ kid: key.kid, alg: 'ES256' })

    const values = parse(g.files.find((f) => f.path === 'values.yaml')!.content)
    expect(values.global.m2mOAuthServer.privateKey).toContain('BEGIN PRIVATE KEY')
    expect(checkChartValues(values)).toEqual([])
    expect(values.m2moauthserver.enabled).toBe(true)
    expect(values.m2moauthserver.domain).toBe(new URL(source.app.urls().issuer).host)
    const dps = values.m2moauthserver.oauthSigner.clients.find(
      (c: { id: string }) => c.id === 'dps',
    )
    expect(dps.secretFile).toBe('/secrets/clients/dps')
    expect(dps.owner).toBeUndefined() // the chart's gap, stated in the notes
    expect(g.notes.join('\n')).toMatch(/does not render a client's owner/)
  })

  it('without the key: no PEM, no private key in the values, a note; the console may not ask for it', async () => {
    const g = await ok<PlgdGraduation>(cli, 'export.plgd', {})
    expect(g.files.map((f) => f.path)).not.toContain('secrets/signing-key.pem')
    expect(g.files.find((f) => f.path === 'values.yaml')!.content).not.toContain('PRIVATE KEY')
    expect(g.key.privateKeyIncluded).toBe(false)
    expect(g.notes.join('\n')).toMatch(/--include-private-key/)

    const viaConsole = createDispatcher(source.app, 'console')
    const before = await ok<ClientView>(cli, 'clients.get', { id: 'dps' })
    expect(await fails(viaConsole, 'export.plgd', { includePrivateKey: true })).toMatch(
      /policy_violation: .*command line/,
    )
    // Refused before anything rotated.
    expect((await ok<ClientView>(cli, 'clients.get', { id: 'dps' })).secrets).toEqual(
      before.secrets,
    )
  })

  it('another domain: config and values name it, and the note says old tokens carry the old iss', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString()
    await ok<KeyView>(cli, 'keys.import', { pem, activate: true })
    const g = await ok<PlgdGraduation>(cli, 'export.plgd', {
      includePrivateKey: true,
      domain: 'auth.example.com',
      mountPath: '/mnt/m2m',
    })
    const served = loadPlgdConfig(
      g.files
        .find((f) => f.path === 'config.yaml')!
        .content.replaceAll('/mnt/m2m/', `${writeOut(g.files)}/secrets/`),
      '/',
    )
    expect(served.issuer).toBe('https://auth.example.com/m2m-oauth-server')
    expect(g.notes.join('\n')).toContain(
      `Tokens already issued carry iss ${source.app.urls().issuer}, not the new https://auth.example.com/m2m-oauth-server`,
    )
  })

  it('refuses a domain with a scheme, naming the form it takes', async () => {
    expect(await fails(cli, 'export.plgd', { domain: 'https://auth.example' })).toMatch(
      /host\[:port\] without a scheme/,
    )
  })
})

describe('import.plgd', () => {
  async function fresh(): Promise<{ t: TestApp; dispatch: Dispatch }> {
    const t = await openTestApp()
    opened.push(t)
    return { t, dispatch: createDispatcher(t.app, 'cli') }
  }

  function importInput(g: PlgdGraduation) {
    const files = Object.fromEntries(
      g.files.filter((f) => f.path.startsWith('secrets/')).map((f) => [`/${f.path}`, f.content]),
    )
    return {
      configYaml: g.files.find((f) => f.path === 'config.yaml')!.content,
      files,
      sidecarJson: g.files.find((f) => f.path === 'console-sidecar.json')!.content,
    }
  }

  it('import(export(x)) keeps every policy, the key and its kid, the claim names; the new secret works', async () => {
    await ok(cli, 'settings.update', { ownerClaim: 'https://plgd.dev/owner', deviceIdClaim: 'di' })
    const g = await ok<PlgdGraduation>(cli, 'export.plgd', { includePrivateKey: true })
    const { t, dispatch } = await fresh()
    const result = await ok<PlgdImport>(dispatch, 'import.plgd', importInput(g))
    expect(result.clients.map((c) => c.id).sort()).toEqual(['dps', 'users'])
    expect(result.claims).toEqual({ ownerClaim: 'https://plgd.dev/owner', deviceIdClaim: 'di' })
    expect(result.key).toMatchObject({ kid: source.app.keys.active().kid, activated: true })
    expect(t.app.keys.active().kid).toBe(source.app.keys.active().kid)
    for (const id of ['dps', 'users']) {
      const original = await ok<ClientView>(cli, 'clients.get', { id })
      const imported = await ok<ClientView>(dispatch, 'clients.get', { id })
      expect(policyOf(imported)).toEqual(policyOf(original))
    }
    const secret = g.files.find((f) => f.path === 'secrets/clients/dps')!.content
    expect(t.app.clients.authenticate('dps', secret)?.id).toBe('dps')
    expect(t.app.clients.authenticate('dps', `${secret} `)).toBeUndefined()
    const entry = t.app.audit
      .list(0, 50)
      .items.find((e: { action: string }) => e.action === 'import.plgd')
    expect(JSON.stringify(entry)).not.toContain(secret)
  })

  it('all or nothing: an existing client id is refused by name and nothing changes', async () => {
    const g = await ok<PlgdGraduation>(cli, 'export.plgd', { includePrivateKey: true })
    const { t, dispatch } = await fresh()
    await ok<ClientWithSecret>(dispatch, 'clients.add', { id: 'users', owner: 'o' })
    const keysBefore = t.app.keys.list()
    const claimsBefore = t.app.issuerSettings().ownerClaim
    expect(await fails(dispatch, 'import.plgd', importInput(g))).toMatch(
      /already_exists|invalid_input: client users already exists/,
    )
    expect(t.app.clients.list().map((c) => c.id)).toEqual(['users'])
    expect(t.app.keys.list()).toEqual(keysBefore)
    expect(t.app.issuerSettings().ownerClaim).toBe(claimsBefore)
  })
})
