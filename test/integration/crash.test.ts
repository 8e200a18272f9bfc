// @vitest-environment node
import { existsSync, readFileSync } from 'node:fs'
import { Agent } from 'node:https'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, expect, it } from 'vitest'
import {
  FORM,
  basicAuth,
  cliJson,
  decodeJwt,
  httpRequest,
  killAllServes,
  makeTempDir,
  removeTempDirs,
  startServe,
} from '../helpers/cli.js'
import { PlgdValidator } from '../helpers/plgd-validator.js'

/**
 * kill -9 in the middle of token traffic: every token whose 200 response left the issuer is in
 * the ledger after a restart, and nothing else (clients, keys, settings) is damaged.
 */

const CONCURRENCY = 20
const LOAD_MS = 1500
const KILL_AFTER_MS = 900

interface Credentials {
  clientId: string
  clientSecret: string
}
interface KeyView {
  kid: string
  alg: string
  state: string
}
interface ClientView {
  id: string
  owner: string
  disabled: boolean
}

afterAll(async () => {
  await killAllServes()
  removeTempDirs()
})

it('loses no issued token and no state when serve is killed with SIGKILL under load', async () => {
  const dataDir = makeTempDir()
  const creds = await cliJson<Credentials>(
    ['clients', 'add', '--id', 'load', '--owner', '1', '--lifetime', '600'],
    { dataDir },
  )
  await cliJson(['clients', 'add', '--id', 'bystander', '--owner', '2'], { dataDir })
  const first = await startServe(dataDir)
  const keysBefore = await cliJson<KeyView[]>(['keys', 'list'], { dataDir })
  const clientsBefore = await cliJson<ClientView[]>(['clients', 'list'], { dataDir })

  const agent = new Agent({ ca: first.ca!, keepAlive: true, maxSockets: CONCURRENCY })
  const received: string[] = []
  let failed = 0
  let inFlight = 0
  let inFlightAtKill = -1
  let killed = false
  const started = Date.now()
  const worker = async (): Promise<void> => {
    while (Date.now() - started < LOAD_MS) {
      inFlight++
      try {
        const res = await httpRequest(first.ready.tokenEndpoint, {
          method: 'POST',
          agent,
          headers: {
            'content-type': FORM,
            authorization: basicAuth(creds.clientId, creds.clientSecret),
          },
          body: 'grant_type=client_credentials',
          timeoutMs: 5000,
        })
        if (res.status !== 200) throw new Error(`unexpected ${res.status}: ${res.text}`)
        const jti = decodeJwt(res.json<{ access_token: string }>().access_token).payload.jti
        expect(typeof jti).toBe('string')
        received.push(jti as string)
      } catch (err) {
        if (!killed) throw err
        failed++
        // The issuer is gone: stop hammering a closed port.
        return
      } finally {
        inFlight--
      }
    }
  }
  const killer = (async () => {
    await new Promise((r) => setTimeout(r, KILL_AFTER_MS))
    inFlightAtKill = inFlight
    killed = true
    return first.kill9()
  })()
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  const exit = await killer
  agent.destroy()

  expect(exit.signal).toBe('SIGKILL')
  expect(received.length, 'tokens issued before the kill').toBeGreaterThanOrEqual(CONCURRENCY)
  expect(inFlightAtKill, 'requests in flight when the issuer died').toBeGreaterThan(0)
  expect(failed).toBeGreaterThan(0)
  expect(new Set(received).size).toBe(received.length)
  // The crash left the control socket behind; it must not block the restart.
  expect(existsSync(join(dataDir, 'control.sock'))).toBe(true)

  const second = await startServe(dataDir)
  try {
    const db = new Database(join(dataDir, 'records.sqlite3'), { readonly: true })
    let ledger: Set<string>
    try {
      ledger = new Set(
        (db.prepare('SELECT id FROM tokens').all() as { id: string }[]).map((r) => r.id),
      )
    } finally {
      db.close()
    }
    const missing = received.filter((jti) => !ledger.has(jti))
    expect(missing, `${missing.length} of ${received.length} issued tokens missing`).toEqual([])

    expect(await cliJson<KeyView[]>(['keys', 'list'], { dataDir })).toEqual(keysBefore)
    expect(await cliJson<ClientView[]>(['clients', 'list'], { dataDir })).toEqual(clientsBefore)
    expect(() => JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8'))).not.toThrow()

    const res = await httpRequest(second.ready.tokenEndpoint, {
      method: 'POST',
      agent: second.agent,
      headers: {
        'content-type': FORM,
        authorization: basicAuth(creds.clientId, creds.clientSecret),
      },
      body: 'grant_type=client_credentials',
    })
    expect(res.status, res.text).toBe(200)
    const validator = await PlgdValidator.create({ authority: second.ready.issuer, ca: second.ca! })
    try {
      const valid = await validator.validate(res.json<{ access_token: string }>().access_token)
      expect(valid.owner).toBe('1')
      const active = keysBefore.find((k) => k.state === 'active')
      expect(valid.header.kid).toBe(active?.kid)
    } finally {
      validator.close()
    }
  } finally {
    await second.stop()
  }
})
