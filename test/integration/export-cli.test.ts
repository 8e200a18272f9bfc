// @vitest-environment node
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import {
  cliJson,
  httpRequest,
  jsonError,
  killAllServes,
  makeTempDir,
  removeTempDirs,
  runCli,
  startServe,
  type ServeHandle,
} from '../helpers/cli.js'

/**
 * The one-time export over the compiled CLI against a running issuer: `clients add --export`
 * writes an owner-only file whose secret gets a token from the real token endpoint; a second
 * run does not overwrite it; later exports are redacted; the issuer refuses client formats.
 */

let dataDir: string
let server: ServeHandle

beforeAll(async () => {
  dataDir = makeTempDir()
  server = await startServe(dataDir)
})

afterAll(async () => {
  try {
    await server?.stop()
  } finally {
    await killAllServes()
    removeTempDirs()
  }
})

interface DpsYaml {
  authorization: {
    provider: { clientID: string; clientSecretFile: string; authority: string }
  }
}

describe('clients add --export', () => {
  it('writes a 0600 dps-yaml file whose secret gets a token, and never overwrites it', async () => {
    const out = join(dataDir, 'dps.yaml')
    const added = await cliJson<{ clientSecret: string; export: { written: string } }>(
      ['clients', 'add', '--id', 'dps', '--owner', '1', '--export', 'dps-yaml', '--out', out],
      { dataDir },
    )
    expect(added.export.written).toBe(out)
    expect(statSync(out).mode & 0o777).toBe(0o600)
    const text = readFileSync(out, 'utf8')
    const provider = (parseYaml(text) as DpsYaml).authorization.provider
    expect(provider.clientID).toBe('dps')
    expect(provider.authority).toBe(server.ready.issuer)
    const prefix = 'data:,'
    expect(provider.clientSecretFile.startsWith(prefix)).toBe(true)
    const secret = decodeURIComponent(provider.clientSecretFile.slice(prefix.length))
    expect(secret).toBe(added.clientSecret)

    const answer = await httpRequest(server.ready.tokenEndpoint, {
      method: 'POST',
      agent: server.agent!,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: provider.clientID,
        client_secret: secret,
      }).toString(),
    })
    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.body.toString()) as object).toHaveProperty('access_token')

    // Refused before the client is created: no second client, the file unchanged.
    const again = await runCli(
      [
        'clients',
        'add',
        '--id',
        'dps2',
        '--owner',
        '1',
        '--export',
        'json',
        '--out',
        out,
        '--json',
      ],
      { dataDir },
    )
    expect(again.code).not.toBe(0)
    expect(jsonError(again).message).toMatch(/already exists: choose another --out, or add --force/)
    expect(readFileSync(out, 'utf8')).toBe(text)
    const shown = await runCli(['clients', 'show', 'dps2', '--json'], { dataDir })
    expect(shown.code).not.toBe(0)
  })

  it('refuses --export without --out, naming --out, and creates nothing', async () => {
    const result = await runCli(
      ['clients', 'add', '--id', 'lonely', '--owner', '1', '--export', 'env', '--json'],
      { dataDir },
    )
    expect(result.code).not.toBe(0)
    expect(jsonError(result).message).toMatch(/--out/)
    expect((await runCli(['clients', 'show', 'lonely'], { dataDir })).code).not.toBe(0)
  })
})

describe('clients rotate-secret --export', () => {
  it('writes the new secret into a Kubernetes Secret; --force replaces the file', async () => {
    const out = join(dataDir, 'dps-secret.yaml')
    writeFileSync(out, 'old\n', { mode: 0o600 })
    const refused = await runCli(
      ['clients', 'rotate-secret', 'dps', '--export', 'k8s-secret', '--out', out, '--json'],
      { dataDir },
    )
    expect(jsonError(refused).message).toMatch(/already exists/)
    expect(readFileSync(out, 'utf8')).toBe('old\n')
    const rotated = await cliJson<{ clientSecret: string }>(
      ['clients', 'rotate-secret', 'dps', '--export', 'k8s-secret', '--out', out, '--force'],
      { dataDir },
    )
    const manifest = parseYaml(readFileSync(out, 'utf8')) as { data: Record<string, string> }
    expect(Buffer.from(manifest.data['client-secret']!, 'base64').toString()).toBe(
      rotated.clientSecret,
    )
    expect(statSync(out).mode & 0o777).toBe(0o600)
  })
})

describe('export', () => {
  it('export client on stdout is redacted', async () => {
    await runCli(['clients', 'add', '--id', 'svc', '--owner', '1', '--json'], { dataDir }).then(
      (r) => expect(r.code).toBe(0),
    )
    const result = await runCli(['export', 'client', 'svc', '--format', 'json'], { dataDir })
    expect(result.code).toBe(0)
    const doc = JSON.parse(result.stdout) as Record<string, unknown>
    expect(doc.clientId).toBe('svc')
    expect(doc).not.toHaveProperty('clientSecret')
    expect(doc.clientSecretFile).toBe('/secrets/svc/client-secret')
  })

  it('export issuer refuses a client format, naming `export client`', async () => {
    const result = await runCli(['export', 'issuer', '--format', 'dps-json', '--json'], {
      dataDir,
    })
    expect(result.code).not.toBe(0)
    expect(jsonError(result).message).toMatch(/export client ID --format dps-json/)
  })
})
