// @vitest-environment node
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { callControl } from '../../electron/api/control-socket.js'
import { OperationSession } from '../../electron/headless/operation.js'
import type { Globals } from '../../electron/headless/commands/spec.js'
import { toErrorShape } from '../../shared/errors.js'
import { recordingLogger } from '../helpers/fakes.js'

/**
 * Issue 16 item 2: before a CLI sends anything on the control socket, the socket must be a
 * socket owned by the user in a directory only the user writes. Here a stranger's listener
 * stands where the socket is expected; it must receive nothing, least of all a private key.
 */

const posix = process.platform !== 'win32'
let root: string
let received: string[]
let servers: Server[]

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'plgd-m2m-peer-'))
  received = []
  servers = []
})
afterEach(async () => {
  for (const s of servers) await new Promise((r) => s.close(r))
  rmSync(root, { recursive: true, force: true })
})

/** A listener that records what it is sent and answers like a running instance would. */
async function stranger(path: string): Promise<void> {
  const server = createServer((conn) => {
    conn.setEncoding('utf8')
    conn.on('data', (chunk: string) => {
      received.push(chunk)
      conn.end('{"ok":true,"value":{}}\n')
    })
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(path, resolve))
}

const KEY_INPUT = { pem: '-----BEGIN PRIVATE KEY-----\nSECRET\n-----END PRIVATE KEY-----\n' }

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const outcome = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  if (outcome === undefined) throw new Error('expected a refusal')
  return toErrorShape(outcome)
}

describe.runIf(posix)('callControl checks the socket before it sends', () => {
  it('talks to a socket of the user in an owner-only directory (the control case)', async () => {
    const dir = join(root, 'own')
    mkdirSync(dir, { mode: 0o700 })
    await stranger(join(dir, 'control.sock'))
    expect(await callControl(join(dir, 'control.sock'), 'keys.import', KEY_INPUT)).toEqual({
      ok: true,
      value: {},
    })
    expect(received.join('')).toContain('keys.import')
  })

  it('refuses a symbolic link in place of the socket', async () => {
    const dir = join(root, 'own')
    mkdirSync(dir, { mode: 0o700 })
    await stranger(join(root, 'elsewhere.sock'))
    symlinkSync(join(root, 'elsewhere.sock'), join(dir, 'control.sock'))
    const shape = await refusal(callControl(join(dir, 'control.sock'), 'keys.import', KEY_INPUT))
    expect(shape.message).toContain('is not a socket (a symbolic link)')
    expect(received).toEqual([])
  })

  it('refuses a socket in a directory others may write', async () => {
    const dir = join(root, 'shared')
    mkdirSync(dir)
    chmodSync(dir, 0o777)
    await stranger(join(dir, 'control.sock'))
    const shape = await refusal(callControl(join(dir, 'control.sock'), 'keys.import', KEY_INPUT))
    expect(shape.message).toContain('may be written by other users')
    expect(received).toEqual([])
  })

  it("refuses another user's socket, naming its owner", async () => {
    const dir = join(root, 'own')
    mkdirSync(dir, { mode: 0o700 })
    await stranger(join(dir, 'control.sock'))
    const uid = process.getuid!() + 1
    // Seen as another user: the directory (checked first) and the socket are not theirs.
    const shape = await refusal(
      callControl(join(dir, 'control.sock'), 'keys.import', KEY_INPUT, { uid }),
    )
    expect(shape.message).toMatch(/belongs to another user \(owner uid \d+/)
    expect(received).toEqual([])
  })
})

describe.runIf(posix)('keys import through the CLI session', () => {
  it('never sends its key to a data directory others may write', async () => {
    const dataDir = join(root, 'data')
    mkdirSync(dataDir)
    chmodSync(dataDir, 0o777)
    await stranger(join(dataDir, 'control.sock'))
    const globals: Globals = {
      dataDir,
      json: true,
      vault: undefined,
      vaultPassphraseFile: undefined,
      log: recordingLogger(),
    }
    const session = new OperationSession(() => Promise.reject(new Error('must not open locally')))
    const shape = await refusal(session.call(globals, 'keys.import', KEY_INPUT))
    expect(shape.message).toContain(`chmod 700 ${dataDir}`)
    expect(received).toEqual([])
  })
})
