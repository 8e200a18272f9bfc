// @vitest-environment node
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AppEvent, Envelope } from '../../shared/contract/index.js'
import { METHOD_NAMES } from '../../shared/method-names.js'
import type { Dispatch } from '../../electron/api/dispatcher.js'
import {
  IPC_EVENT_CHANNEL,
  createIpcHandler,
  ipcChannel,
  originOf,
  type IpcHandler,
} from '../../electron/api/ipc-transport.js'
import { recordingLogger } from '../helpers/fakes.js'

const APP_ORIGIN = 'app://console'
const OK: Envelope<unknown> = { ok: true, value: { answered: true } }

function recordingDispatch(): Dispatch & { calls: [string, unknown][] } {
  const calls: [string, unknown][] = []
  const dispatch = async (method: string, input: unknown): Promise<Envelope<unknown>> => {
    calls.push([method, input])
    return OK
  }
  return Object.assign(dispatch, { calls })
}

describe('originOf', () => {
  it.each([
    ['app://console/', 'app://console'],
    ['app://console/index.html?x=1#/clients', 'app://console'],
    ['app://console', 'app://console'],
    ['http://127.0.0.1:5173/', 'http://127.0.0.1:5173'],
    ['https://docs.plgd.dev/a', 'https://docs.plgd.dev'],
    ['https://docs.plgd.dev:443/a', 'https://docs.plgd.dev'],
  ])('%s → %s', (url, origin) => {
    expect(originOf(url)).toBe(origin)
  })

  it.each([
    '',
    'null',
    'not a url',
    'file:///index.html',
    'data:text/html,<p>x</p>',
    'about:blank',
    'blob:app://console/3f2a',
    'javascript:alert(1)',
    'devtools://devtools/bundled/inspector.html',
    'app://console@evil/',
    'app://user:pw@console/',
    'app:///index.html',
    'app:console',
  ])('%s has no origin the console accepts', (url) => {
    expect(originOf(url)).toBeNull()
  })
})

describe('createIpcHandler', () => {
  let dispatch: ReturnType<typeof recordingDispatch>
  let log: ReturnType<typeof recordingLogger>
  let handle: IpcHandler

  beforeEach(() => {
    dispatch = recordingDispatch()
    log = recordingLogger()
    handle = createIpcHandler({ dispatch, allowedOrigin: APP_ORIGIN, log })
  })

  it('dispatches a call from the top frame of the console', async () => {
    const input = { id: 'console-dps' }
    const reply = await handle(
      { url: 'app://console/index.html', isTopFrame: true },
      'clients.get',
      input,
    )
    expect(reply).toEqual(OK)
    expect(dispatch.calls).toEqual([['clients.get', input]])
  })

  it('passes unknown methods on: the dispatcher answers them', async () => {
    await handle({ url: 'app://console/', isTopFrame: true }, 'nope.nope', {})
    expect(dispatch.calls).toEqual([['nope.nope', {}]])
  })

  it('refuses a subframe of the console', async () => {
    const reply = await handle({ url: 'app://console/', isTopFrame: false }, 'clients.list', {})
    expect(reply.ok).toBe(false)
    expect(!reply.ok && reply.error.code).toBe('invalid_input')
    expect(dispatch.calls).toEqual([])
  })

  it.each([
    'app://console.evil/',
    'app://evil/',
    'app://consolex/',
    'app://console:8080/',
    'app://Console/',
    'app://console@evil/',
    'https://console/',
    'http://console/',
    'http://127.0.0.1:8443/',
    'https://docs.plgd.dev/',
    'file:///work/dist/renderer/index.html',
    'data:text/html,<script>x</script>',
    'about:blank',
    'blob:app://console/3f2a',
    'devtools://devtools/',
    '',
  ])('refuses a top frame at %s', async (url) => {
    const reply = await handle({ url, isTopFrame: true }, 'keys.rotate', {})
    expect(reply).toEqual({
      ok: false,
      error: {
        code: 'invalid_input',
        message: 'refused: the call did not come from the console window',
      },
    })
    expect(dispatch.calls).toEqual([])
  })

  it('logs a refusal without the input', async () => {
    await handle({ url: 'https://evil.example/', isTopFrame: true }, 'clients.add', {
      secret: 'do-not-log',
    })
    expect(log.entries).toHaveLength(1)
    expect(JSON.stringify(log.entries)).not.toContain('do-not-log')
    expect(log.entries[0]!.fields).toMatchObject({ origin: 'https://evil.example' })
  })

  it('turns a throwing dispatcher into an internal envelope', async () => {
    const failing = createIpcHandler({
      dispatch: async () => {
        throw new Error('boom: secret details')
      },
      allowedOrigin: APP_ORIGIN,
    })
    const reply = await failing({ url: 'app://console/', isTopFrame: true }, 'status.get', {})
    expect(reply).toEqual({
      ok: false,
      error: { code: 'internal', message: 'internal error; see the log' },
    })
  })

  it.each(['null', '', 'app://console/', 'file://', '*'])(
    'will not be built with allowedOrigin %j',
    (allowedOrigin) => {
      expect(() => createIpcHandler({ dispatch, allowedOrigin })).toThrow(/allowedOrigin/)
    },
  )
})

// --- The preload: the other half of the transport ----------------------------------------------

type Listener = (event: unknown, payload: unknown) => void

const electron = vi.hoisted(() => {
  const listeners = new Map<string, Set<Listener>>()
  return {
    exposed: new Map<string, unknown>(),
    listeners,
    invoke: vi.fn(async (_channel: string, _input: unknown): Promise<unknown> => ({
      ok: true,
      value: null,
    })),
    emit(channel: string, payload: unknown): void {
      for (const l of listeners.get(channel) ?? []) l({ sender: 'ipc-event-object' }, payload)
    },
  }
})

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => electron.exposed.set(key, api),
  },
  ipcRenderer: {
    invoke: electron.invoke,
    on: (channel: string, listener: Listener) => {
      const set = electron.listeners.get(channel) ?? new Set()
      set.add(listener)
      electron.listeners.set(channel, set)
    },
    removeListener: (channel: string, listener: Listener) => {
      electron.listeners.get(channel)?.delete(listener)
    },
  },
}))

describe('preload', () => {
  let api: Record<string, Record<string, unknown>>

  beforeAll(async () => {
    await import('../../electron/preload.js')
    api = electron.exposed.get('plgdConsole') as typeof api
  })

  it('exposes one object, plgdConsole, and nothing else', () => {
    expect([...electron.exposed.keys()]).toEqual(['plgdConsole'])
  })

  it('offers exactly the contract methods and the event subscription', () => {
    const offered = Object.entries(api).flatMap(([ns, ops]) =>
      Object.keys(ops).map((op) => `${ns}.${op}`),
    )
    expect(offered.sort()).toEqual([...METHOD_NAMES, 'events.subscribe'].sort())
    for (const ops of Object.values(api)) {
      for (const fn of Object.values(ops)) expect(typeof fn).toBe('function')
    }
    // No raw IPC, no generic invoke, no shell.
    const names = JSON.stringify(offered)
    for (const forbidden of ['invoke', 'send', 'ipcRenderer', 'openExternal', 'require']) {
      expect(names).not.toContain(forbidden)
    }
  })

  it('calls each method on its own channel', async () => {
    electron.invoke.mockClear()
    for (const method of METHOD_NAMES) {
      const [ns, op] = method.split('.') as [string, string]
      await (api[ns]![op] as (input: unknown) => Promise<unknown>)({ probe: method })
    }
    expect(electron.invoke.mock.calls).toEqual(
      METHOD_NAMES.map((method) => [ipcChannel(method), { probe: method }]),
    )
    expect(new Set(electron.invoke.mock.calls.map(([channel]) => channel)).size).toBe(
      METHOD_NAMES.length,
    )
  })

  it('forwards AppEvents without the IPC event, and unsubscribes exactly its listener', () => {
    const subscribe = api.events!.subscribe as (l: (e: AppEvent) => void) => () => void
    const first: unknown[][] = []
    const second: unknown[][] = []
    const offFirst = subscribe((...args) => first.push(args))
    const offSecond = subscribe((...args) => second.push(args))
    const event: AppEvent = { type: 'client.changed', data: { id: 'console-dps' } }
    electron.emit(IPC_EVENT_CHANNEL, event)
    expect(first).toEqual([[event]])
    expect(second).toEqual([[event]])

    offFirst()
    offFirst() // a second call removes nothing else
    electron.emit(IPC_EVENT_CHANNEL, event)
    expect(first).toHaveLength(1)
    expect(second).toHaveLength(2)
    expect(electron.listeners.get(IPC_EVENT_CHANNEL)?.size).toBe(1)

    offSecond()
    expect(electron.listeners.get(IPC_EVENT_CHANNEL)?.size).toBe(0)
  })

  it('refuses a subscription that is not a function', () => {
    const subscribe = api.events!.subscribe as (l: unknown) => () => void
    expect(() => subscribe('alert(1)')).toThrow(TypeError)
  })
})
