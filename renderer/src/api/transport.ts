import { buildConsoleApi, type ConsoleApi } from '../../../shared/console-api'
import {
  APP_EVENT_TYPES,
  type AppEvent,
  type Envelope,
  type MethodName,
} from '../../../shared/contract/index'
import type { ErrorCode } from '../../../shared/errors'
import type { ConsoleWindow } from './window'

/** Where the headless console keeps its bearer token for the tab's lifetime. */
export const SESSION_STORAGE_KEY = 'plgd-console-session'

export type Transport =
  { kind: 'electron'; api: ConsoleApi } | { kind: 'http'; api: ConsoleApi } | { kind: 'none' }

/**
 * How the renderer reaches main: the preload's `window.plgdConsole` in Electron; otherwise
 * the headless HTTP bridge with the session token from the URL `serve` printed.
 */
export function resolveTransport(win: ConsoleWindow = window): Transport {
  if (win.plgdConsole) return { kind: 'electron', api: win.plgdConsole }
  const token = takeSessionToken(win)
  if (!token) return { kind: 'none' }
  return { kind: 'http', api: createHttpConsoleApi(token) }
}

/**
 * Reads `#session=<token>` once, keeps it in sessionStorage and strips it from the address bar
 * (and so from history, bookmarks and screenshots). Later loads of the tab use the stored copy.
 */
export function takeSessionToken(win: ConsoleWindow = window): string | null {
  const params = new URLSearchParams(win.location.hash.replace(/^#/, ''))
  const fromHash = params.get('session')
  if (fromHash) {
    try {
      win.sessionStorage.setItem(SESSION_STORAGE_KEY, fromHash)
    } catch {
      // Storage disabled: the token still works for this page load.
    }
    win.history.replaceState(win.history.state, '', win.location.pathname + win.location.search)
    return fromHash
  }
  try {
    return win.sessionStorage.getItem(SESSION_STORAGE_KEY)
  } catch {
    return null
  }
}

type Fetch = typeof fetch

/**
 * What this tab knows of its link to the issuer: `lost` when the bridge stopped answering,
 * `restarted` when it answers but refuses this tab's session (a new run has a new session
 * key, so the tab that outlived its issuer can never call it again).
 */
export type ConnectionState = 'ok' | 'lost' | 'restarted'

type ConnectionListener = (state: ConnectionState) => void

/** One tab's connection state, shared by the calls and the event stream, read by the shell. */
export class ConnectionMonitor {
  #state: ConnectionState = 'ok'
  readonly #listeners = new Set<ConnectionListener>()

  get state(): ConnectionState {
    return this.#state
  }

  set(next: ConnectionState): void {
    // A refused session stays refused: a later network blip does not hide it.
    if (this.#state === 'restarted' || next === this.#state) return
    this.#state = next
    for (const listener of this.#listeners) listener(next)
  }

  /** Back to `ok` whatever happened (a new page load starts so; tests start so). */
  reset(): void {
    this.#state = 'ok'
    for (const listener of this.#listeners) listener('ok')
  }

  subscribe = (listener: ConnectionListener): (() => void) => {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  getSnapshot = (): ConnectionState => this.#state
}

/** The tab's monitor (the HTTP transport reports to it; the desktop app never loses it). */
export const connection = new ConnectionMonitor()

export interface HttpTransportOptions {
  fetch?: Fetch
  /** Reconnect delays for the event stream: first, then doubled up to max. */
  minReconnectMs?: number
  maxReconnectMs?: number
  /** Told when the bridge stops answering or refuses the session; the tab's one by default. */
  monitor?: ConnectionMonitor
}

const SESSION_MESSAGE =
  'the console session is not valid (expired or from an earlier run): open the console with the URL printed by `plgd-m2m-console serve`'

function failure(code: ErrorCode, message: string): Envelope<never> {
  return { ok: false, error: { code, message } }
}

function isEnvelope(body: unknown): body is Envelope<unknown> {
  if (typeof body !== 'object' || body === null) return false
  const b = body as Record<string, unknown>
  if (b.ok === true) return 'value' in b
  if (b.ok !== false || typeof b.error !== 'object' || b.error === null) return false
  const e = b.error as Record<string, unknown>
  return typeof e.code === 'string' && typeof e.message === 'string'
}

async function readJson(res: Response): Promise<unknown> {
  try {
    return (await res.json()) as unknown
  } catch {
    return undefined
  }
}

/** The ConsoleApi over the headless bridge (`POST /api/rpc/<method>`, `GET /api/events`). */
export function createHttpConsoleApi(
  token: string,
  options: HttpTransportOptions = {},
): ConsoleApi {
  const doFetch: Fetch = options.fetch ?? ((...args) => fetch(...args))
  const authorization = 'Bearer ' + token
  const monitor = options.monitor ?? connection

  const call = async (method: MethodName, input: unknown): Promise<Envelope<unknown>> => {
    let res: Response
    try {
      res = await doFetch('/api/rpc/' + method, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify(input ?? {}),
        cache: 'no-store',
      })
    } catch {
      monitor.set('lost')
      return failure(
        'internal',
        'cannot reach the console: is `plgd-m2m-console serve` still running?',
      )
    }
    monitor.set(res.status === 401 || res.status === 403 ? 'restarted' : 'ok')
    const body = await readJson(res)
    if (res.status !== 200) {
      // The bridge may explain itself with an error envelope; otherwise say what HTTP said.
      if (isEnvelope(body) && !body.ok) return body
      // Final: a wrong or stale session does not get better by retrying.
      if (res.status === 401 || res.status === 403)
        return failure('session_invalid', SESSION_MESSAGE)
      return failure('internal', `the console answered HTTP ${res.status}`)
    }
    if (!isEnvelope(body)) return failure('internal', 'the console sent a malformed answer')
    return body
  }

  const subscribe = createEventSubscriber(doFetch, authorization, { ...options, monitor })
  return buildConsoleApi(call, subscribe)
}

/**
 * `GET /api/events` as a text/event-stream read with a stream reader (EventSource cannot send
 * an Authorization header). Reconnects with exponential backoff when the stream drops; the
 * returned unsubscribe aborts the request and stops reconnecting.
 */
export function createEventSubscriber(
  doFetch: Fetch,
  authorization: string,
  options: HttpTransportOptions = {},
): (listener: (event: AppEvent) => void) => () => void {
  const minDelay = options.minReconnectMs ?? 1000
  const maxDelay = options.maxReconnectMs ?? 30_000
  const monitor = options.monitor ?? connection

  return (listener) => {
    const controller = new AbortController()
    const { signal } = controller
    const deliver = (event: AppEvent) => {
      try {
        listener(event)
      } catch {
        // A failing listener must not end the stream for the others.
      }
    }

    void (async () => {
      let delay = minDelay
      while (!signal.aborted) {
        try {
          const res = await doFetch('/api/events', {
            headers: { authorization, accept: 'text/event-stream' },
            cache: 'no-store',
            signal,
          })
          if (res.ok && res.body) {
            delay = minDelay
            monitor.set('ok')
            await readEventStream(res.body, deliver, signal)
            // The stream ended: the bridge closed it (stopped) unless this tab did.
            if (!signal.aborted) monitor.set('lost')
          } else {
            if (res.status === 401 || res.status === 403) monitor.set('restarted')
            await res.body?.cancel().catch(() => undefined)
          }
        } catch {
          // Dropped or refused: back off and try again.
          if (!signal.aborted) monitor.set('lost')
        }
        if (signal.aborted) break
        await sleep(delay, signal)
        delay = Math.min(delay * 2, maxDelay)
      }
    })()

    return () => controller.abort()
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}

async function readEventStream(
  body: ReadableStream<Uint8Array>,
  deliver: (event: AppEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  const parser = new EventStreamParser()
  const cancel = () => void reader.cancel().catch(() => undefined)
  signal.addEventListener('abort', cancel, { once: true })
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      for (const event of parser.push(decoder.decode(value, { stream: true }))) deliver(event)
    }
  } finally {
    signal.removeEventListener('abort', cancel)
  }
}

/**
 * Incremental text/event-stream parser: `data:` lines (joined by newlines) make one event at
 * each blank line; `:` comment lines (the server's `: ping`) and other fields are ignored.
 */
export class EventStreamParser {
  #buffer = ''
  #data: string[] = []

  push(chunk: string): AppEvent[] {
    this.#buffer += chunk
    const events: AppEvent[] = []
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.#buffer)
      if (!match) break
      // A lone trailing \r may be the first half of \r\n: wait for more.
      if (match[0] === '\r' && match.index === this.#buffer.length - 1) break
      const line = this.#buffer.slice(0, match.index)
      this.#buffer = this.#buffer.slice(match.index + match[0].length)
      const event = this.#line(line)
      if (event) events.push(event)
    }
    return events
  }

  #line(line: string): AppEvent | null {
    if (line === '') {
      const data = this.#data.join('\n')
      this.#data = []
      return data ? parseAppEvent(data) : null
    }
    if (line.startsWith(':')) return null
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    if (field !== 'data') return null
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    this.#data.push(value)
    return null
  }
}

const EVENT_TYPES = new Set<string>(APP_EVENT_TYPES)

function parseAppEvent(data: string): AppEvent | null {
  try {
    const value = JSON.parse(data) as unknown
    if (typeof value !== 'object' || value === null) return null
    const { type } = value as { type?: unknown }
    return typeof type === 'string' && EVENT_TYPES.has(type) ? (value as AppEvent) : null
  } catch {
    return null
  }
}
