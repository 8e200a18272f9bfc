// @vitest-environment node
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../../shared/errors.js'
import { openApp, type App } from '../../electron/app.js'
import { ControlSocket, callControl } from '../../electron/api/control-socket.js'
import { startHost, type Host, type HostOptions, type StartTransport } from '../../electron/host.js'
import { controlSocketPath } from '../../electron/platform/paths.js'
import { FakeKeychain, MemorySettings, recordingLogger } from '../helpers/fakes.js'

/**
 * startHost, the one start and stop sequence of `serve` and the desktop app, on a real control
 * socket and a real issuer listening on loopback (plain HTTP, to keep TLS out of a unit test).
 */

let dataDir: string
let socketPath: string
let opened: App[]
let record: string[]
const running: Host[] = []

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'plgd-m2m-host-'))
  socketPath = controlSocketPath(dataDir)
  opened = []
  record = []
})

afterEach(async () => {
  for (const host of running.splice(0)) await host.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

const lockHeld = (): string => (existsSync(socketPath) ? 'lock held' : 'lock free')

/** Opens a real app on in-memory settings, recording when it closes and when its issuer stops. */
async function openRecordedApp(dir: string): Promise<App> {
  const app = await openApp({
    dataDir: dir,
    settings: new MemorySettings(),
    keychain: new FakeKeychain(),
    log: recordingLogger(),
  })
  opened.push(app)
  app.events.subscribe((event) => {
    if (event.type === 'issuer.state' && !event.data.running) {
      record.push(`issuer stopped (${lockHeld()})`)
    }
  })
  const close = app.close.bind(app)
  Object.assign(app, {
    close: async () => {
      record.push('app closed')
      await close()
    },
  })
  return app
}

function transport(name: string): StartTransport {
  return () => {
    record.push(`${name} started`)
    return {
      close: async () => {
        record.push(`${name} closed (${lockHeld()})`)
      },
    }
  }
}

function options(overrides: Partial<HostOptions> = {}): HostOptions {
  return {
    dataDir,
    openApp: openRecordedApp,
    issuer: { listen: { host: '127.0.0.1', port: 0 }, insecureHttp: true },
    ...overrides,
  }
}

async function issuerAnswers(jwksUri: string): Promise<boolean> {
  try {
    return (await fetch(jwksUri)).ok
  } catch {
    return false
  }
}

async function lockIsFree(): Promise<boolean> {
  try {
    await (await ControlSocket.acquire(socketPath)).close()
    return true
  } catch (err) {
    if (err instanceof AppError && err.code === 'data_dir_locked') return false
    throw err
  }
}

describe('startHost', () => {
  it('runs the issuer, answers CLI commands on the control socket, and starts the transports', async () => {
    const host = await startHost(options({ transports: [transport('a'), transport('b')] }))
    running.push(host)
    expect(record).toEqual(['a started', 'b started'])
    expect(host.app).toBe(opened[0])
    expect(await issuerAnswers(host.ready.jwksUri)).toBe(true)
    const reply = await callControl(socketPath, 'status.get', {})
    expect(reply?.ok, JSON.stringify(reply)).toBe(true)
    expect(await lockIsFree()).toBe(false)
  })

  it('stops in reverse order: transports, the lock, the issuer, then the app', async () => {
    const host = await startHost(options({ transports: [transport('a'), transport('b')] }))
    const { jwksUri } = host.ready
    record.length = 0
    await host.stop()
    expect(record).toEqual([
      'b closed (lock held)',
      'a closed (lock held)',
      'issuer stopped (lock free)',
      'app closed',
    ])
    expect(await issuerAnswers(jwksUri)).toBe(false)
    expect(await lockIsFree()).toBe(true)
    // A second stop is the same stop, not a second round of closes.
    await host.stop()
    expect(record).toHaveLength(4)
  })

  it('leaves a data directory another host holds untouched', async () => {
    running.push(await startHost(options()))
    const second = startHost(
      options({
        openApp: () => {
          throw new Error('the app must not be opened')
        },
      }),
    )
    await expect(second).rejects.toMatchObject({ code: 'data_dir_locked' })
    expect(opened).toHaveLength(1)
  })

  it('undoes a start whose transport fails: issuer stopped, app closed, lock released', async () => {
    const failing: StartTransport = () => {
      throw new Error('port in use')
    }
    let jwksUri = ''
    const spy: StartTransport = (app) => {
      jwksUri = app.urls().jwksUri
      return transport('a')(app)
    }
    await expect(startHost(options({ transports: [spy, failing] }))).rejects.toThrow('port in use')
    expect(record).toEqual([
      'a started',
      'a closed (lock held)',
      'issuer stopped (lock free)',
      'app closed',
    ])
    expect(await issuerAnswers(jwksUri)).toBe(false)
    expect(await lockIsFree()).toBe(true)
  })

  it('releases the lock when the app cannot be opened', async () => {
    const refused = new AppError('vault_locked', 'wrong passphrase')
    await expect(
      startHost(
        options({
          openApp: () => Promise.reject(refused),
        }),
      ),
    ).rejects.toBe(refused)
    expect(await lockIsFree()).toBe(true)
  })

  it('warns, naming ca.pem, when a new public host makes a new local CA (hubs must get it)', async () => {
    const settings = new MemorySettings()
    const keychain = new FakeKeychain()
    const log = recordingLogger()
    const openWith = (dir: string) => openApp({ dataDir: dir, settings, keychain, log })
    const tls = (publicHost: string): HostOptions => ({
      dataDir,
      openApp: openWith,
      issuer: { listen: { host: '127.0.0.1', port: 0 }, publicHost },
    })
    await (await startHost(tls('a.example'))).stop()
    expect(log.entries.filter((e) => e.level === 'warn')).toEqual([])
    const second = await startHost(tls('b.example'))
    running.push(second)
    const warning = log.entries.find((e) => /new local CA/.test(e.message))
    expect(warning?.fields?.caFile).toBe(join(dataDir, 'ca.pem'))
    expect(warning?.fields?.hosts).toContain('b.example')
  })
})
