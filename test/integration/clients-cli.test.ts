// @vitest-environment node
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClientView, TestCredentialsResult } from '../../shared/contract/index.js'
import {
  cliJson,
  killAllServes,
  makeTempDir,
  removeTempDirs,
  runCli,
  startServe,
  type ServeHandle,
} from '../helpers/cli.js'

/**
 * A client after creation, over the CLI against a running issuer: its policy changes without a
 * new secret (one audit entry per field), pasted credentials are tried on the real token
 * endpoint over HTTPS on 127.0.0.1, and a rotation's grace can end early.
 */

let dataDir: string
let server: ServeHandle
let secret: string

function secretFile(name: string, value: string): string {
  const file = join(dataDir, `${name}.txt`)
  writeFileSync(file, `${value}\n`, { mode: 0o600 })
  return file
}

const test = (id: string, value: string) =>
  cliJson<TestCredentialsResult>(
    ['clients', 'test-credentials', '--id', id, '--secret', secretFile('pasted', value)],
    { dataDir },
  )

beforeAll(async () => {
  dataDir = makeTempDir()
  const added = await cliJson<{ clientSecret: string }>(
    ['clients', 'add', '--id', 'dps', '--owner', '1', '--scope', 'r:*'],
    { dataDir },
  )
  secret = added.clientSecret
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

describe('clients update', () => {
  it('changes owner, allowed owners and device id in place, one audit entry per field', async () => {
    const { changes } = await cliJson<{ changes: { field: string; to: unknown }[] }>(
      [
        'clients',
        'update',
        'dps',
        '--owner',
        '2',
        '--allowed-owner',
        '3',
        '--scope',
        'r:*',
        '--allow-device-id',
        // A claim named like a credential: the audit log records claim names, so it is not refused.
        '--claim',
        'secret_store=vault',
      ],
      { dataDir },
    )
    expect(changes).toEqual([
      { field: 'owner', from: '1', to: '2' },
      { field: 'allowedOwners', from: [], to: ['3'] },
      { field: 'allowDeviceId', from: false, to: true },
      { field: 'extraClaims', from: {}, to: { secret_store: 'vault' } },
    ])
    const audit = await cliJson<{ items: { action: string; details: { field?: string } }[] }>(
      ['audit', 'list'],
      { dataDir },
    )
    const updates = audit.items.filter((e) => e.action === 'client.updated')
    expect(updates.map((e) => e.details.field).sort()).toEqual([
      'allowDeviceId',
      'allowedOwners',
      'extraClaims',
      'owner',
    ])
  })

  it('refuses a command that changes nothing, naming the options', async () => {
    const result = await runCli(['clients', 'update', 'dps'], { dataDir })
    expect(result.code).not.toBe(0)
    expect(result.stderr).toMatch(/nothing to change: give at least one of --owner/)
  })
})

describe('clients test-credentials', () => {
  it('gets a token with the secret, which the update kept, and reports its claims, not the token', async () => {
    const result = await test('dps', secret)
    expect(result.ok).toBe(true)
    expect(result.attempts).toEqual([{ style: 'client_secret_basic', status: 200 }])
    expect(result.claims).toMatchObject({ owner: '2', scope: 'r:*' })
    expect(JSON.stringify(result)).not.toMatch(/access_token|eyJ/)
  })

  it('explains a wrong secret and an unknown id after Basic and the form body were refused', async () => {
    const wrong = await test('dps', 'not-the-secret')
    expect(wrong.ok).toBe(false)
    expect(wrong.attempts.map((a) => [a.style, a.status, a.error])).toEqual([
      ['client_secret_basic', 401, 'invalid_client'],
      ['client_secret_post', 401, 'invalid_client'],
    ])
    expect(wrong.explanation).toMatch(/secret does not match/)
    const unknown = await test('dsp', secret)
    expect(unknown.explanation).toMatch(/there is no client dsp/)
  })
})

describe('clients end-grace', () => {
  it('stops the previous secret at once after a graceful rotation', async () => {
    const rotated = await cliJson<{ clientSecret: string; client: ClientView }>(
      ['clients', 'rotate-secret', 'dps', '--grace', '1h'],
      { dataDir },
    )
    expect(rotated.client.secrets).toHaveLength(2)
    expect((await test('dps', secret)).ok).toBe(true)
    const ended = await cliJson<{ ended: number }>(['clients', 'end-grace', 'dps'], { dataDir })
    expect(ended.ended).toBe(1)
    expect((await test('dps', secret)).ok).toBe(false)
    expect((await test('dps', rotated.clientSecret)).ok).toBe(true)
  })
})
