// @vitest-environment node
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { Agent as HttpsAgent } from 'node:https'
import { join } from 'node:path'
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
} from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  basicAuth,
  CLI_BIN,
  cliJson,
  decodeJwt,
  FORM,
  httpRequest,
  jsonError,
  killAllServes,
  makeTempDir,
  REPO_ROOT,
  removeTempDirs,
  runCli,
  startServe,
  type ReadyLine,
} from '../helpers/cli.js'

/**
 * Issue 15 item 5, end to end with the compiled CLI and real keychains: a console with a secret
 * client, a private_key_jwt client, a rotated key, issued (and revoked) tokens and audit
 * entries is backed up while it serves, then restored into a fresh data directory inside a
 * second, nested keyring session (its own D-Bus, gnome-keyring and HOME: another machine's
 * keychain), where it serves again: the old secret and the old key still work, tokens issued
 * before the backup verify against the restored JWKS, the ledger and the audit chain hold.
 */

const PASSPHRASE = 'a backup passphrase for the new laptop'
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

let work: string
let sourceDir: string
let backupFile: string
let passFile: string
let secret: string
let pkKey: CryptoKey
let secretToken: string
let revokedJti: string
let sourceJwks: JSONWebKeySet

function tokenForm(extra: Record<string, string>): string {
  return new URLSearchParams({ grant_type: 'client_credentials', ...extra }).toString()
}

function secretRequest(tokenEndpoint: string, agent: HttpsAgent | undefined, clientSecret: string) {
  return httpRequest(tokenEndpoint, {
    method: 'POST',
    agent,
    headers: { 'content-type': FORM, authorization: basicAuth('dps', clientSecret) },
    body: tokenForm({}),
  })
}

async function assertionRequest(tokenEndpoint: string, agent: HttpsAgent | undefined) {
  const now = Math.floor(Date.now() / 1000)
  const assertion = await new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: 'ES256', kid: 'pk-1' })
    .setIssuer('pk')
    .setSubject('pk')
    .setAudience(tokenEndpoint)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(pkKey)
  return httpRequest(tokenEndpoint, {
    method: 'POST',
    agent,
    headers: { 'content-type': FORM },
    body: tokenForm({
      client_id: 'pk',
      client_assertion_type: JWT_BEARER,
      client_assertion: assertion,
    }),
  })
}

beforeAll(async () => {
  work = makeTempDir('plgd-m2m-backup-it-')
  sourceDir = join(work, 'source')
  backupFile = join(work, 'console.backup')
  passFile = join(work, 'pass.txt')
  writeFileSync(passFile, `${PASSPHRASE}\n`, { mode: 0o600 })

  const added = await cliJson<{ clientSecret: string }>(
    ['clients', 'add', '--id', 'dps', '--owner', '1'],
    { dataDir: sourceDir },
  )
  secret = added.clientSecret
  const pair = await generateKeyPair('ES256')
  pkKey = pair.privateKey
  const jwksFile = join(work, 'pk.jwks.json')
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'pk-1', alg: 'ES256', use: 'sig' }
  writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }))
  await cliJson(['clients', 'add', '--id', 'pk', '--owner', '2', '--jwks', jwksFile], {
    dataDir: sourceDir,
  })
  await cliJson(['keys', 'rotate'], { dataDir: sourceDir })

  const server = await startServe(sourceDir)
  try {
    const bySecret = await secretRequest(server.ready.tokenEndpoint, server.agent, secret)
    expect(bySecret.status, bySecret.text).toBe(200)
    secretToken = bySecret.json<{ access_token: string }>().access_token
    const byKey = await assertionRequest(server.ready.tokenEndpoint, server.agent)
    expect(byKey.status, byKey.text).toBe(200)
    revokedJti = String(decodeJwt(byKey.json<{ access_token: string }>().access_token).payload.jti)
    await cliJson(['token', 'revoke', revokedJti], { dataDir: sourceDir })
    sourceJwks = (await httpRequest(server.ready.jwksUri, { agent: server.agent })).json()
    // While it serves: the command goes through the control socket to the running console.
    const created = await cliJson<{ path: string; bytes: number; summary: Record<string, number> }>(
      ['backup', 'create', '--out', backupFile, '--passphrase-file', passFile],
      { dataDir: sourceDir },
    )
    expect(created).toMatchObject({ path: backupFile, summary: { clients: 2, tokens: 2 } })
    expect(created.summary.keys).toBeGreaterThanOrEqual(2)
  } finally {
    await server.stop()
  }
}, 120_000)

afterAll(async () => {
  await killAllServes()
  removeTempDirs()
})

/** Runs `script` (bash) inside a second keyring session: another D-Bus, keyring and HOME. */
function nested(script: string, env: Record<string, string> = {}): ChildProcess {
  return spawn('bash', [join(REPO_ROOT, 'test', 'with-keychain.sh'), 'bash', '-c', script], {
    cwd: REPO_ROOT,
    env: { ...withoutProductEnv(process.env), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
}

/** As the CLI helper does: nothing from this process may change the product's behaviour. */
function withoutProductEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env }
  for (const name of Object.keys(copy)) if (name.startsWith('PLGD_M2M_')) delete copy[name]
  delete copy.NODE_OPTIONS
  return copy
}

function collect(child: ChildProcess): { out: () => string; err: () => string } {
  let out = ''
  let err = ''
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c))
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c))
  return { out: () => out, err: () => err }
}

function exited(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.kill(-child.pid!, 'SIGKILL')
      reject(new Error('the nested keyring session did not finish in time'))
    }, timeoutMs)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve(code)
    })
  })
}

/** A word for the nested bash script. */
const q = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`
const cli = `${q(process.execPath)} ${q(CLI_BIN)}`

describe('backup create', () => {
  it('writes an owner-only file that holds none of the console in clear', () => {
    expect(statSync(backupFile).mode & 0o777).toBe(0o600)
    const bytes = readFileSync(backupFile)
    expect(bytes.subarray(0, 24).toString()).toBe('plgd-m2m-console backup\n')
    expect(bytes.includes(Buffer.from('"clients"'))).toBe(false)
    expect(bytes.includes(Buffer.from('SQLite format'))).toBe(false)
  })

  it('never overwrites without --force, and refuses a short passphrase', async () => {
    const again = await runCli(
      ['backup', 'create', '--out', backupFile, '--passphrase-file', passFile, '--json'],
      { dataDir: sourceDir },
    )
    expect(again.code).toBe(1)
    expect(jsonError(again).message).toMatch(/already exists.*--force/)
    const short = await runCli(['backup', 'create', '--out', join(work, 'x.backup'), '--json'], {
      dataDir: sourceDir,
      env: { PLGD_M2M_BACKUP_PASSPHRASE: 'too short' },
    })
    expect(short.code).toBe(1)
    expect(jsonError(short).message).toMatch(/at least 12 characters/)
    expect(existsSync(join(work, 'x.backup'))).toBe(false)
  })
})

describe('backup restore under another keychain', () => {
  it('refuses a wrong passphrase and leaves the target absent', async () => {
    const target = join(work, 'wrong')
    const child = nested(
      `exec ${cli} backup restore ${q(backupFile)} --data-dir ${q(target)} --json`,
      {
        PLGD_M2M_BACKUP_PASSPHRASE: 'not the passphrase it was made with',
      },
    )
    const io = collect(child)
    expect(await exited(child, 60_000)).toBe(1)
    expect(io.err()).toMatch(/wrong backup passphrase/)
    expect(existsSync(target)).toBe(false)
  }, 90_000)

  it('restores, serves, and everything from before still holds', async () => {
    const target = join(work, 'restored')
    const restoredJson = join(work, 'restored.json')
    // One nested session for the restore and the serve: the key lives in its keychain only.
    const child = nested(
      `${cli} backup restore ${q(backupFile)} --data-dir ${q(target)} --passphrase-file ${q(passFile)} ` +
        `--json > ${q(restoredJson)} && exec ${cli} serve --listen 127.0.0.1:0 --json --data-dir ${q(target)}`,
    )
    const io = collect(child)
    const done = exited(child, 90_000)
    try {
      const ready = await waitReady(io, done)
      const restored = JSON.parse(readFileSync(restoredJson, 'utf8')) as Record<string, unknown>
      expect(restored).toMatchObject({ dataDir: target, vault: 'keychain' })
      const ca = ready.caCertFile ? readFileSync(ready.caCertFile, 'utf8') : undefined
      const agent = ca ? new HttpsAgent({ ca }) : undefined
      try {
        await checkRestored(ready, agent, target)
      } finally {
        agent?.destroy()
      }
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM')
      await done.catch(() => undefined)
    }
    // Outside that session (this keychain), the restored directory has no key: another keychain.
    const here = await runCli(['audit', 'verify', '--json'], { dataDir: target })
    expect(here.code).toBe(1)
    expect(jsonError(here).message).toMatch(/keychain has no wrapping key/)
  }, 150_000)
})

async function waitReady(
  io: { out: () => string; err: () => string },
  done: Promise<number | null>,
): Promise<ReadyLine> {
  let finished = false
  void done.then(() => (finished = true)).catch(() => (finished = true))
  for (let i = 0; i < 600; i++) {
    const line = io.out().split('\n')[0]
    if (line && io.out().includes('\n')) return JSON.parse(line) as ReadyLine
    if (finished) throw new Error(`the restore or serve failed\nstderr: ${io.err()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`serve printed no ready line\nstderr: ${io.err()}`)
}

async function checkRestored(
  ready: ReadyLine,
  agent: HttpsAgent | undefined,
  target: string,
): Promise<void> {
  const jwks = (await httpRequest(ready.jwksUri, { agent })).json<JSONWebKeySet>()
  expect(jwks.keys.map((k) => k.kid).sort()).toEqual(sourceJwks.keys.map((k) => k.kid).sort())
  const keySet = createLocalJWKSet(jwks)

  // A token issued before the backup verifies against the restored JWKS.
  const before = await jwtVerify(secretToken, keySet)
  expect(before.payload.client_id).toBe('dps')

  // The old secret and the old private_key_jwt key still authenticate.
  const bySecret = await secretRequest(ready.tokenEndpoint, agent, secret)
  expect(bySecret.status, bySecret.text).toBe(200)
  await jwtVerify(bySecret.json<{ access_token: string }>().access_token, keySet)
  const wrong = await secretRequest(ready.tokenEndpoint, agent, `${secret.slice(0, -2)}xx`)
  expect(wrong.status).toBe(401)
  const byKey = await assertionRequest(ready.tokenEndpoint, agent)
  expect(byKey.status, byKey.text).toBe(200)

  // The ledger came along: the old records, the revocation too (via the control socket).
  const list = await cliJson<{ items: { id: string; blacklisted: unknown }[] }>(
    ['token', 'list', '--limit', '50'],
    { dataDir: target },
  )
  const beforeJti = before.payload.jti
  expect(list.items.find((t) => t.id === beforeJti)?.blacklisted).toBeNull()
  expect(list.items.find((t) => t.id === revokedJti)?.blacklisted).toMatchObject({ flag: true })

  // The audit chain verifies and tells the story.
  expect(await cliJson(['audit', 'verify'], { dataDir: target })).toMatchObject({ ok: true })
  const audit = await cliJson<{ items: { action: string }[] }>(['audit', 'list'], {
    dataDir: target,
  })
  const actions = audit.items.map((e) => e.action)
  expect(actions).toContain('backup.restored')
  expect(actions).toContain('backup.created')
  expect(actions).toContain('client.created')
}
