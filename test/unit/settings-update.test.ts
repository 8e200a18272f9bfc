// @vitest-environment node
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createDispatcher } from '../../electron/api/dispatcher.js'
import {
  isHostName,
  type Envelope,
  type SettingsUpdateView,
  type StatusView,
} from '../../shared/contract/index.js'
import { openTestApp, type TestApp } from '../helpers/fakes.js'

let t: TestApp
beforeEach(async () => {
  t = await openTestApp()
})
afterEach(() => t.close())

async function call<T>(actor: string, method: string, input: unknown): Promise<Envelope<T>> {
  return (await createDispatcher(t.app, actor)(method, input)) as Envelope<T>
}

async function update(input: unknown, actor = 'console'): Promise<SettingsUpdateView> {
  const answer = await call<SettingsUpdateView>(actor, 'settings.update', input)
  if (!answer.ok) throw new Error(answer.error.message)
  return answer.value
}

function running(issuer: string): void {
  t.app.events.emit({ type: 'issuer.state', data: { running: true, issuer } })
}

describe('host names', () => {
  it.each(['station.local', 'localhost', '127.0.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'a-b.c'])(
    'accepts %s',
    (host) => expect(isHostName(host)).toBe(true),
  )
  it.each(['my station.local', 'bad host!', '', '-lead.example', 'a..b', 'x_y.lan', 'http://a'])(
    'refuses %j',
    (host) => expect(isHostName(host)).toBe(false),
  )
})

describe('settings.update', () => {
  it('refuses a host with a space and a negative port, and stores nothing', async () => {
    const before = t.app.issuerSettings()
    const host = await call('cli', 'settings.update', { publicHost: 'my station.local' })
    expect(host.ok).toBe(false)
    expect(!host.ok && host.error.message).toMatch(/^publicHost: a host name/)
    const port = await call('cli', 'settings.update', { port: -5 })
    expect(!port.ok && port.error.message).toMatch(/^port: a port from 1 to 65535/)
    expect(t.app.issuerSettings()).toEqual(before)
  })

  it('stores station mode', async () => {
    expect((await update({ station: true })).station).toBe(true)
    expect(t.app.issuerSettings().station).toBe(true)
  })

  it('a change made on the command line marks set-up done; one from the console does not', async () => {
    const status = async () => {
      const answer = await call<StatusView>('console', 'status.get', {})
      return answer.ok ? answer.value.setupCompleted : undefined
    }
    await update({ iatBackdateSeconds: 2 })
    expect(await status()).toBe(false)
    await update({ iatBackdateSeconds: 3 }, 'cli')
    expect(await status()).toBe(true)
  })

  it('names the old and new issuer URL when host or port changes', async () => {
    const view = await update({ publicHost: 'station.local', port: 9443 })
    expect(view.effects.authority).toEqual({
      from: 'https://127.0.0.1:8443/m2m-oauth-server',
      to: 'https://station.local:9443/m2m-oauth-server',
    })
    expect((await update({ iatBackdateSeconds: 1 })).effects.authority).toBeNull()
    expect((await update({ port: 0 })).effects.authority?.to).toBe(
      'https://station.local:<port chosen at the next start>/m2m-oauth-server',
    )
  })

  it('asks for a restart only for what a running issuer reads at start', async () => {
    expect((await update({ port: 9443 })).effects.restartNeeded).toEqual([])
    running('https://127.0.0.1:9443/m2m-oauth-server')
    expect((await update({ iatBackdateSeconds: 4, ownerClaim: 'sub' })).effects).toEqual({
      restartNeeded: [],
      authority: null,
    })
    const view = await update({ station: true, port: 9444, maxLifetimeSeconds: 600 })
    expect(view.effects.restartNeeded).toEqual(['port', 'station'])
    // Set again to what it already is: nothing to restart for.
    expect((await update({ port: 9444 })).effects.restartNeeded).toEqual([])
  })
})
