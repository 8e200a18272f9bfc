// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { AppEvent } from '../../shared/contract/index'
import { ApiError, callApi } from '../../renderer/src/api/call-api'
import {
  createHttpConsoleApi,
  EventStreamParser,
  resolveTransport,
  SESSION_STORAGE_KEY,
  takeSessionToken,
} from '../../renderer/src/api/transport'
import { decodeJwt } from '../../renderer/src/lib/jwt'

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c))
      controller.close()
    },
  })
}

afterEach(() => {
  history.replaceState(null, '', '/')
})

describe('session token', () => {
  it('is read from the hash once, kept in sessionStorage and removed from the URL', () => {
    history.replaceState(null, '', '/#session=tok-123')
    expect(takeSessionToken()).toBe('tok-123')
    expect(sessionStorage.getItem(SESSION_STORAGE_KEY)).toBe('tok-123')
    expect(location.hash).toBe('')
    expect(location.href).not.toContain('tok-123')
    // A reload of the tab finds it in sessionStorage.
    expect(takeSessionToken()).toBe('tok-123')
  })

  it('without a token or a preload there is no transport', () => {
    expect(resolveTransport().kind).toBe('none')
  })

  it('prefers the Electron preload', () => {
    history.replaceState(null, '', '/#session=tok')
    const api = createHttpConsoleApi('x', { fetch: vi.fn() })
    const win = Object.create(window, { plgdConsole: { value: api } }) as Window
    expect(resolveTransport(win)).toEqual({ kind: 'electron', api })
  })
})

describe('HTTP bridge calls', () => {
  it('POSTs the input with the bearer token and returns the envelope', async () => {
    const fetch = vi.fn(async () => json({ ok: true, value: [] }))
    const api = createHttpConsoleApi('tok', { fetch })
    await expect(api.clients.list({})).resolves.toEqual({ ok: true, value: [] })
    expect(fetch).toHaveBeenCalledWith('/api/rpc/clients.list', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer tok' },
      body: '{}',
      cache: 'no-store',
    })
  })

  it('passes error envelopes through', async () => {
    const error = { code: 'not_found', message: 'no client x' }
    const api = createHttpConsoleApi('tok', { fetch: async () => json({ ok: false, error }) })
    await expect(api.clients.get({ id: 'x' })).resolves.toEqual({ ok: false, error })
  })

  it('turns a 401 into a session error envelope', async () => {
    const api = createHttpConsoleApi('tok', {
      fetch: async () => new Response('unauthorized\n', { status: 401 }),
    })
    const answer = await api.status.get({})
    expect(answer.ok).toBe(false)
    if (!answer.ok) {
      expect(answer.error.code).toBe('session_invalid') // final: not retried
      expect(answer.error.message).toMatch(/session/)
      expect(answer.error.message).toMatch(/plgd-m2m-console serve/)
    }
  })

  it('turns other HTTP failures and network errors into internal errors', async () => {
    const http500 = createHttpConsoleApi('tok', {
      fetch: async () => new Response('internal error\n', { status: 500 }),
    })
    expect(await http500.status.get({})).toEqual({
      ok: false,
      error: { code: 'internal', message: 'the console answered HTTP 500' },
    })
    const down = createHttpConsoleApi('tok', {
      fetch: async () => {
        throw new TypeError('Failed to fetch')
      },
    })
    const answer = await down.status.get({})
    expect(!answer.ok && answer.error.code).toBe('internal')
  })
})

describe('callApi', () => {
  it('unwraps values and throws ApiError with the code', async () => {
    await expect(callApi(Promise.resolve({ ok: true, value: 1 }))).resolves.toBe(1)
    const failed = callApi(
      Promise.resolve({ ok: false, error: { code: 'conflict', message: 'taken' } } as const),
    )
    await expect(failed).rejects.toBeInstanceOf(ApiError)
    await expect(failed).rejects.toMatchObject({ code: 'conflict', message: 'taken' })
    await expect(callApi(Promise.reject(new Error('ipc gone')))).rejects.toMatchObject({
      code: 'internal',
    })
  })
})

describe('event stream', () => {
  const issued: AppEvent = {
    type: 'token.issued',
    data: { jti: 'j', clientId: 'c', expiresAt: 1 },
  }

  it('parses data lines across chunk boundaries and ignores comments and junk', () => {
    const parser = new EventStreamParser()
    const text = `: connected\n\ndata: ${JSON.stringify(issued)}\r\n\r\n: ping\n\ndata: not json\n\ndata: {"type":"nope"}\n\nevent: x\ndata: {"type":"key.rotated",\ndata: "data":{"activeKid":"k2"}}\n\n`
    const events: AppEvent[] = []
    for (let i = 0; i < text.length; i += 7) events.push(...parser.push(text.slice(i, i + 7)))
    expect(events).toEqual([issued, { type: 'key.rotated', data: { activeKid: 'k2' } }])
  })

  it('delivers events, reconnects when the stream drops and stops on unsubscribe', async () => {
    const revoked: AppEvent = { type: 'token.revoked', data: { ids: ['a'] } }
    const bodies = [
      [`: connected\n\ndata: ${JSON.stringify(issued)}\n\n`],
      [`data: ${JSON.stringify(revoked)}\n\n`],
    ]
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      expect(init?.headers).toMatchObject({ authorization: 'Bearer tok' })
      const chunks = bodies.shift()
      if (!chunks) return new Promise<Response>(() => undefined)
      return new Response(streamOf(chunks), {
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
      })
    })
    const api = createHttpConsoleApi('tok', { fetch, minReconnectMs: 5, maxReconnectMs: 10 })
    const received: AppEvent[] = []
    const unsubscribe = api.events.subscribe((e) => received.push(e))

    await vi.waitFor(() => expect(received).toEqual([issued, revoked]))
    expect(fetch.mock.calls[0]?.[0]).toBe('/api/events')
    unsubscribe()
    const calls = fetch.mock.calls.length
    await new Promise((r) => setTimeout(r, 50))
    expect(fetch.mock.calls.length).toBe(calls)
  })

  it('backs off and retries after a refused connection', async () => {
    let attempts = 0
    const fetch = vi.fn(async () => {
      attempts += 1
      if (attempts < 3) return new Response('unavailable', { status: 503 })
      if (attempts > 3) return new Promise<Response>(() => undefined)
      return new Response(streamOf([`data: ${JSON.stringify(issued)}\n\n`]), { status: 200 })
    })
    const api = createHttpConsoleApi('tok', { fetch, minReconnectMs: 5, maxReconnectMs: 20 })
    const received: AppEvent[] = []
    const unsubscribe = api.events.subscribe((e) => received.push(e))
    await vi.waitFor(() => expect(received).toEqual([issued]))
    expect(attempts).toBeGreaterThanOrEqual(3)
    expect(received).toHaveLength(1)
    unsubscribe()
  })
})

describe('decodeJwt', () => {
  it('decodes base64url JSON with UTF-8 and rejects non-JWTs', () => {
    const enc = (v: unknown) =>
      btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(v))))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '')
    const token = `${enc({ alg: 'ES256' })}.${enc({ name: 'Gerät ✓', n: '>>>???' })}.sig`
    expect(decodeJwt(token)).toEqual({
      header: { alg: 'ES256' },
      payload: { name: 'Gerät ✓', n: '>>>???' },
    })
    expect(decodeJwt('abc')).toBeNull()
    expect(decodeJwt('a.b.c')).toBeNull()
  })
})
