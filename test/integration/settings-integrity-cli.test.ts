// @vitest-environment node
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  cliJson,
  jsonError,
  killAllServes,
  makeTempDir,
  removeTempDirs,
  runCli,
  startServe,
} from '../helpers/cli.js'

/**
 * Issue 16 item 3 through the CLI: a client written into settings.json with an editor stops
 * every command that opens the data directory, with the way back; `serve
 * --accept-settings-change` takes it, audited, and the next commands work again.
 */

const env = { PLGD_M2M_VAULT_PASSPHRASE: 'settings integrity cli passphrase' }
afterAll(async () => {
  await killAllServes()
  removeTempDirs()
})

describe('a settings.json changed behind the program', () => {
  it('is refused by the CLI, then accepted once by serve --accept-settings-change', async () => {
    const dataDir = makeTempDir('plgd-m2m-integrity-cli-')
    await cliJson(['clients', 'add', '--id', 'dps', '--owner', '1', '--vault', 'passphrase'], {
      dataDir,
      env,
    })
    const file = join(dataDir, 'settings.json')
    const data = JSON.parse(readFileSync(file, 'utf8')) as { clients: Record<string, object> }
    data.clients.intruder = { ...data.clients.dps!, id: 'intruder', owner: 'victim' }
    writeFileSync(file, JSON.stringify(data))

    const refused = await runCli(['clients', 'list', '--json'], { dataDir, env })
    expect(refused.code).not.toBe(0)
    const error = jsonError(refused)
    expect(error.code).toBe('conflict')
    expect(error.message).toContain('changed: the client registry (clients)')
    expect(error.message).toContain('--accept-settings-change')

    const serve = await startServe(
      dataDir,
      ['--accept-settings-change', '--insecure-http', '--no-console'],
      { env },
    )
    expect(serve.ready.event).toBe('ready')
    await serve.stop()

    const clients = await cliJson<{ id: string }[]>(['clients', 'list'], { dataDir, env })
    expect(clients.map((c) => c.id).sort()).toEqual(['dps', 'intruder'])
    const audit = await cliJson<{ items: { action: string; details: unknown }[] }>(
      ['audit', 'list'],
      { dataDir, env },
    )
    expect(audit.items[0]).toMatchObject({
      action: 'settings.change_accepted',
      details: { sections: ['clients'] },
    })
  })
})
