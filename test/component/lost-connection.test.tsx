// @vitest-environment jsdom
import { act, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import {
  connection,
  ConnectionMonitor,
  createHttpConsoleApi,
} from '../../renderer/src/api/transport'
import { ChunkLoadBoundary } from '../../renderer/src/shell/ChunkLoadBoundary'
import { Shell } from '../../renderer/src/shell/Shell'
import { fakeConsole, renderWithApp, statusView } from './helpers'

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

afterEach(() => connection.reset())

describe('a tab that outlived its issuer: the transport notices', () => {
  it('a refused network call is a lost connection; an answer is a connection again', async () => {
    const monitor = new ConnectionMonitor()
    let up = false
    const api = createHttpConsoleApi('tok', {
      monitor,
      fetch: () =>
        up ? Promise.resolve(json({ ok: true, value: {} })) : Promise.reject(new TypeError('down')),
    })
    await api.status.get({})
    expect(monitor.state).toBe('lost')
    up = true
    await api.status.get({})
    expect(monitor.state).toBe('ok')
  })

  it('a refused session is a restarted issuer, and stays so', async () => {
    const monitor = new ConnectionMonitor()
    let answer = () => json({}, 401)
    const api = createHttpConsoleApi('old-session', {
      monitor,
      fetch: () => Promise.resolve(answer()),
    })
    await api.status.get({})
    expect(monitor.state).toBe('restarted')
    answer = () => json({ ok: true, value: {} })
    await api.status.get({})
    expect(monitor.state).toBe('restarted')
  })

  it('the event stream refused with 401 is a restarted issuer', async () => {
    const monitor = new ConnectionMonitor()
    const api = createHttpConsoleApi('old-session', {
      monitor,
      fetch: () => Promise.resolve(new Response('', { status: 401 })),
      minReconnectMs: 5,
      maxReconnectMs: 5,
    })
    const stop = api.events.subscribe(() => undefined)
    await new Promise((resolve) => setTimeout(resolve, 30))
    stop()
    expect(monitor.state).toBe('restarted')
  })
})

describe('a tab that outlived its issuer: the shell says so', () => {
  it('shows a banner with how to reopen the console, and stops saying "issuer running"', async () => {
    const fake = fakeConsole({ 'status.get': () => statusView() })
    renderWithApp(<Shell />, fake.api)
    expect((await screen.findByTestId('issuer-running')).textContent).toBe('issuer running')
    expect(screen.queryByTestId('connection-banner')).toBeNull()

    act(() => connection.set('restarted'))
    const banner = await screen.findByTestId('connection-banner')
    expect(banner.getAttribute('data-state')).toBe('restarted')
    expect(banner.textContent).toContain('console-link.txt')
    expect(banner.textContent).toContain('serve')
    expect(banner.textContent).toContain('new session key')
    expect(screen.getByTestId('issuer-running').textContent).toBe('issuer restarted')
  })

  it('shows a lost connection, and clears it once the issuer answers again', async () => {
    const fake = fakeConsole({ 'status.get': () => statusView() })
    renderWithApp(<Shell />, fake.api)
    await screen.findByTestId('issuer-running')
    act(() => connection.set('lost'))
    expect((await screen.findByTestId('connection-banner')).getAttribute('data-state')).toBe('lost')
    expect(screen.getByTestId('issuer-running').textContent).toBe('connection lost')
    act(() => connection.set('ok'))
    expect(screen.queryByTestId('connection-banner')).toBeNull()
  })

  it('a page chunk that fails to load says the console was restarted and how to reopen it', async () => {
    function Broken(): never {
      throw new TypeError(
        'Failed to fetch dynamically imported module: http://127.0.0.1:5000/assets/KeysPage-abc.js',
      )
    }
    const fake = fakeConsole({})
    renderWithApp(
      <ChunkLoadBoundary>
        <Broken />
      </ChunkLoadBoundary>,
      fake.api,
    )
    const alert = await screen.findByTestId('chunk-load-failed')
    expect(alert.textContent).toContain('stopped or restarted')
    expect(alert.textContent).toContain('console-link.txt')
  })
})
