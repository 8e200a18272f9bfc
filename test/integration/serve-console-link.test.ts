// @vitest-environment node
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { consoleLines } from '../../electron/headless/commands/serve.js'
import { consoleLinkFile, serve, type Serving } from '../../electron/headless/serve.js'
import { recordingLogger } from '../helpers/fakes.js'

/**
 * Issue 16 item 8: the console link is the session key. `serve` prints it only to a terminal
 * (or with --json); under a service manager stdout is a journal, so the link waits in an
 * owner-only file of the data directory instead. And the vault passphrase given in the
 * environment leaves the environment once read.
 */

const PASSPHRASE = 'console link test passphrase'
let dataDir: string
let staticDir: string
let running: Serving
let envAfterStart: string | undefined

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'plgd-m2m-link-'))
  staticDir = mkdtempSync(join(tmpdir(), 'plgd-m2m-link-ui-'))
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>console</title>')
  process.env.PLGD_M2M_VAULT_PASSPHRASE = PASSPHRASE
  running = await serve({
    dataDir,
    log: recordingLogger(),
    vault: 'passphrase',
    listen: { host: '127.0.0.1', port: 0 },
    insecureHttp: true,
    console: { staticDir },
  })
  envAfterStart = process.env.PLGD_M2M_VAULT_PASSPHRASE
})

afterAll(async () => {
  delete process.env.PLGD_M2M_VAULT_PASSPHRASE
  await running?.stop()
  rmSync(dataDir, { recursive: true, force: true })
  rmSync(staticDir, { recursive: true, force: true })
})

describe('serve and its console link', () => {
  it('removes PLGD_M2M_VAULT_PASSPHRASE from the environment once read', () => {
    expect(running.ready.consoleUrl).toMatch(/#session=/)
    expect(envAfterStart).toBeUndefined()
  })

  it('keeps the link in an owner-only file of the data directory', () => {
    const file = consoleLinkFile(dataDir)
    expect(readFileSync(file, 'utf8')).toBe(`${running.ready.consoleUrl}\n`)
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it('prints the link to a terminal only; elsewhere it says where the link is', () => {
    const url = running.ready.consoleUrl!
    expect(consoleLines(url, dataDir, true)).toContain(url)
    const journal = consoleLines(url, dataDir, false)
    expect(journal).not.toContain('session=')
    expect(journal).not.toContain(new URL(url).hash.slice(1))
    expect(journal).toContain(consoleLinkFile(dataDir))
    expect(journal).toContain(new URL(url).origin)
  })

  it('removes the file at stop', async () => {
    await running.stop()
    expect(existsSync(consoleLinkFile(dataDir))).toBe(false)
  })
})
