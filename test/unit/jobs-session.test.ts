// @vitest-environment node
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AppEvent } from '../../shared/contract/index.js'
import { callControl } from '../../electron/api/control-socket.js'
import { openApp, type App } from '../../electron/app.js'
import type { CommandContext, Globals } from '../../electron/headless/commands/spec.js'
import { followJob } from '../../electron/headless/follow-job.js'
import { OperationSession } from '../../electron/headless/operation.js'
import { controlSocketPath } from '../../electron/platform/paths.js'
import { FakeKeychain, MemorySettings, recordingLogger } from '../helpers/fakes.js'
import { abortable, devices, fakeHandler } from './jobs-helpers.js'

/**
 * The CLI's long-running local path: with no serve holding the data directory, one session
 * holds the lock and the app while the command follows the job it started, answers other CLIs
 * on the lock's socket meanwhile, and leaves an unfinished job interrupted when it closes.
 */

let dataDir: string
let opened: App[]
let events: AppEvent[]
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'plgd-m2m-session-'))
  opened = []
  events = []
})
afterEach(() => rmSync(dataDir, { recursive: true, force: true }))

const globals = (): Globals => ({
  dataDir,
  json: true,
  vault: undefined,
  vaultPassphraseFile: undefined,
  log: recordingLogger(),
})

function session() {
  return new OperationSession(async (g) => {
    const app = await openApp({
      dataDir: g.dataDir,
      settings: new MemorySettings(),
      keychain: new FakeKeychain(),
      log: g.log,
    })
    app.events.subscribe((e) => events.push(e))
    opened.push(app)
    return app
  })
}

describe('OperationSession', () => {
  it('keeps the app open across calls, so a job started here runs to the end while followed', async () => {
    const s = session()
    const work = () => Promise.resolve({ state: 'done' as const })
    const g = globals()
    await s.call(g, 'jobs.list', {})
    // After the dispatcher's own handlers, which it registers when the session creates it.
    opened[0]!.jobs.register(fakeHandler(work))
    const { jobId } = opened[0]!.jobs.start('configs.apply', 'lab', { devices: devices(30) }, 4)
    const out: string[] = []
    const ctx: CommandContext = {
      globals: g,
      io: { out: (t) => void out.push(t), err: () => undefined },
      call: (method, input) => s.call(g, method, input) as never,
    }
    expect(await followJob(ctx, jobId, { pollMs: 5 })).toBe(0)
    expect(JSON.parse(out.at(-1)!)).toMatchObject({ summary: { done: 30 }, state: 'done' })
    expect(opened).toHaveLength(1)
    await s.close()
  })

  it('answers other CLIs on the lock while it holds the data directory, then lets go', async () => {
    const s = session()
    const g = globals()
    await s.call(g, 'jobs.list', {})
    const socket = controlSocketPath(dataDir)
    const reply = await callControl(socket, 'jobs.list', {})
    expect(reply).toEqual({ ok: true, value: { items: [], total: 0 } })
    await s.close()
    expect(await callControl(socket, 'jobs.list', {})).toBeUndefined()
    if (process.platform !== 'win32') expect(existsSync(socket)).toBe(false)
  })

  it('closing while a job runs leaves it interrupted, for jobs resume', async () => {
    const s = session()
    const work = (_key: string, signal: AbortSignal) =>
      abortable(50, signal).then(() => ({ state: 'done' as const }))
    const g = globals()
    await s.call(g, 'jobs.list', {})
    // After the dispatcher's own handlers, which it registers when the session creates it.
    opened[0]!.jobs.register(fakeHandler(work))
    const { jobId } = opened[0]!.jobs.start('configs.apply', 'lab', { devices: devices(20) }, 2)
    await s.close()
    const last = events.filter((e) => e.type === 'job.changed').at(-1)
    expect(last).toMatchObject({ data: { id: jobId, state: 'interrupted' } })
  })

  it('on Ctrl-C, stops the job here cleanly (interrupted), releases the lock, then exits 130', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(() => undefined as never)
    const listeners = process.listenerCount('SIGTERM')
    try {
      const s = session()
      const g = globals()
      await s.call(g, 'jobs.list', {})
      opened[0]!.jobs.register(
        fakeHandler((_key, signal) => abortable(50, signal).then(() => ({ state: 'done' }))),
      )
      const { jobId } = opened[0]!.jobs.start('configs.apply', 'lab', { devices: devices(9) }, 1)
      process.emit('SIGINT', 'SIGINT')
      await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(130))
      const last = events.filter((e) => e.type === 'job.changed').at(-1)
      expect(last).toMatchObject({ data: { id: jobId, state: 'interrupted' } })
      expect(await callControl(controlSocketPath(dataDir), 'jobs.list', {})).toBeUndefined()
      expect(process.listenerCount('SIGTERM')).toBe(listeners)
    } finally {
      exit.mockRestore()
    }
  })
})
