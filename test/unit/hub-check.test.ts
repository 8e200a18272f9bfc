// @vitest-environment node
import { createServer, type RequestListener, type Server } from 'node:http'
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { HubView } from '../../shared/contract/index.js'
import { NetError } from '../../electron/net/net-error.js'
import { checkHub, type HubCheckDeps } from '../../electron/plgd/hub-check.js'
import { netFix } from '../../electron/plgd/hub-check-fixes.js'
import { startHubSimulator } from '../fixtures/hub-simulator/index.mjs'

const CONSOLE_CA = '-----BEGIN CERTIFICATE-----\nMIIconsole\n-----END CERTIFICATE-----\n'
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()))
})

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(
    () =>
      new Promise((resolve) => {
        ;(server as Server).closeAllConnections?.()
        server.close(() => resolve())
      }),
  )
  return (server.address() as AddressInfo).port
}

function profile(url: string, extra: Partial<HubView> = {}): HubView {
  return {
    name: 'lab',
    url,
    hubId: 'hub-1',
    ownerClaim: 'https://plgd.dev/owner',
    deviceIdClaim: '',
    coapGateway: '',
    certificateAuthority: '',
    authority: '',
    dpsUrl: null,
    snippetServiceUrl: null,
    dpsDeviceEndpoint: null,
    m2mOauthClient: null,
    hubCaPem: null,
    caPem: null,
    auth: { kind: 'client', clientId: 'console' },
    overrides: {},
    discoveredAt: 0,
    createdAt: 0,
    ...extra,
  }
}

function deps(view: HubView, extra: Partial<HubCheckDeps> = {}): HubCheckDeps {
  return {
    profile: view,
    bearer: () => Promise.resolve('bearer-jwt'),
    owner: 'owner-1',
    issuerOwnerClaim: 'https://plgd.dev/owner',
    issuer: { authority: 'https://console.lan:8443/m2m-oauth-server', caPem: CONSOLE_CA },
    timeoutMs: 500,
    ...extra,
  }
}

/** A gateway answering hub-configuration, and `devices` with this status. */
async function gateway(devicesStatus: number, currentTimeMs = Date.now()): Promise<string> {
  const handler: RequestListener = (req, res) => {
    if (req.url === '/.well-known/hub-configuration') {
      res.setHeader('content-type', 'application/json')
      return res.end(
        JSON.stringify({
          id: 'hub-1',
          jwtOwnerClaim: 'https://plgd.dev/owner',
          currentTime: String(BigInt(currentTimeMs) * 1_000_000n),
        }),
      )
    }
    if (
      req.url?.startsWith('/api/v1/devices?deviceIdFilter=00000000-0000-0000-0000-000000000000')
    ) {
      expect(req.headers.authorization).toBe('Bearer bearer-jwt')
      res.statusCode = devicesStatus
      return res.end(
        devicesStatus === 200
          ? ''
          : JSON.stringify({ code: devicesStatus === 401 ? 16 : 7, message: 'cannot access' }),
      )
    }
    res.statusCode = 404
    res.end()
  }
  return `http://127.0.0.1:${await listen(createServer(handler))}`
}

const NIL = '00000000-0000-0000-0000-000000000000'

/** DPS or snippet-service: answers `status` to the bearer's probe at `path`, 404 elsewhere. */
async function service(status: number, path: string): Promise<string> {
  const handler: RequestListener = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (`${url.pathname}?${decodeURIComponent(url.search.slice(1))}` !== path) {
      res.statusCode = 404
      return res.end()
    }
    expect(req.headers.authorization).toBe('Bearer bearer-jwt')
    res.statusCode = status
    res.end(status === 200 ? '' : JSON.stringify({ code: status === 401 ? 16 : 7, message: 'no' }))
  }
  return `http://127.0.0.1:${await listen(createServer(handler))}`
}
const DPS_PROBE = `/api/v1/hubs?idFilter=${NIL}`
const SNIPPET_PROBE = `/snippet-service/api/v1/configurations?httpIdFilter=${NIL}/latest`

const byName = (r: Awaited<ReturnType<typeof checkHub>>, name: string) =>
  r.checks.find((c) => c.name === name)

describe('hub check', () => {
  it('a trusting hub passes every step', async () => {
    const r = await checkHub(deps(profile(await gateway(200))))
    expect(r.checks.map((c) => [c.name, c.ok])).toEqual([
      ['dns', true],
      ['tcp', true],
      ['discovery', true],
      ['auth', true],
      ['owner', true],
      ['clock', true],
    ])
    expect(r.ok).toBe(true)
  })

  it('401: the hub does not trust this issuer; the snippet carries our authority and CA', async () => {
    const r = await checkHub(deps(profile(await gateway(401))))
    const auth = byName(r, 'auth')!
    expect(r.ok).toBe(false)
    expect(auth).toMatchObject({ ok: false })
    expect(auth.detail).toMatch(/HTTP 401: cannot access.*does not trust this issuer/)
    expect(auth.fix).toMatch(/authorization\.endpoints/)
    expect(auth.snippet).toContain('authority: https://console.lan:8443/m2m-oauth-server')
    expect(auth.snippet).toContain(`data:;base64,${Buffer.from(CONSOLE_CA).toString('base64')}`)
    expect(byName(r, 'owner')).toBeUndefined()
  })

  it('403: the owner, naming the hub owner claim and ours when they differ', async () => {
    const r = await checkHub(
      deps(profile(await gateway(403)), { issuerOwnerClaim: 'sub', owner: 'alice' }),
    )
    expect(byName(r, 'auth')!.ok).toBe(true)
    const owner = byName(r, 'owner')!
    expect(owner.ok).toBe(false)
    expect(owner.detail).toContain('"alice"')
    expect(owner.fix).toMatch(
      /jwtOwnerClaim is https:\/\/plgd\.dev\/owner.*settings set --owner-claim/,
    )
  })

  it('a hub clock 8 s behind fails: plgd has no iat leeway; the fix names --iat-backdate', async () => {
    const r = await checkHub(deps(profile(await gateway(200, Date.now() - 8000))))
    const clock = byName(r, 'clock')!
    expect(clock.ok).toBe(false)
    expect(clock.detail).toMatch(/8\.\d s behind/)
    expect(clock.fix).toMatch(/settings set --iat-backdate 9|NTP/)
  })

  it('a refused port fails at tcp and skips the rest', async () => {
    const server = createTcpServer()
    const port = await listen(server)
    await closers.pop()!()
    const r = await checkHub(deps(profile(`http://127.0.0.1:${port}`)))
    expect(r.checks.map((c) => c.name)).toEqual(['dns', 'tcp'])
    expect(byName(r, 'tcp')!.detail).toMatch(/refused the connection/)
    expect(byName(r, 'tcp')!.fix).toMatch(/port/)
  })

  it('a silent hub times out with a clear message', async () => {
    const sockets: Socket[] = []
    const silent = createTcpServer((socket) => void sockets.push(socket))
    const port = await listen(silent)
    closers.unshift(async () => sockets.forEach((socket) => socket.destroy()))
    const r = await checkHub(deps(profile(`http://127.0.0.1:${port}`), { timeoutMs: 300 }))
    const discovery = byName(r, 'discovery')!
    expect(discovery.ok).toBe(false)
    expect(discovery.detail).toMatch(/did not answer in time/)
    expect(discovery.fix).toMatch(/no answer within 0.3 s/)
  })

  it('an untrusted certificate fails at tls, naming --ca; with the hub CA it passes', async () => {
    const hub = await startHubSimulator({
      trustedAuthority: 'https://console.lan:8443/m2m-oauth-server',
      trustedCaPem: CONSOLE_CA,
    })
    closers.push(() => hub.close())
    const bad = await checkHub(deps(profile(hub.url)))
    expect(byName(bad, 'tls')).toMatchObject({ ok: false })
    expect(byName(bad, 'tls')!.detail).toMatch(/not trusted/)
    expect(byName(bad, 'tls')!.fix).toContain('hubs update lab --ca FILE')
    const good = await checkHub(deps(profile(hub.url, { caPem: hub.caPem })))
    expect(byName(good, 'tls')!.ok).toBe(true)
    expect(byName(good, 'discovery')!.ok).toBe(true)
  })

  it('an unresolvable name fails at dns', async () => {
    const r = await checkHub(deps(profile('https://no-such-hub.invalid')))
    expect(r.checks).toHaveLength(1)
    expect(byName(r, 'dns')).toMatchObject({ ok: false })
    expect(byName(r, 'dns')!.fix).toMatch(/does not resolve/)
  })

  it("DPS and snippet-service pass only when they accept the console's token", async () => {
    const r = await checkHub(
      deps(
        profile(await gateway(200), {
          dpsUrl: await service(200, DPS_PROBE),
          snippetServiceUrl: `${await service(200, SNIPPET_PROBE)}/snippet-service`,
        }),
      ),
    )
    expect(byName(r, 'dps')).toEqual({
      name: 'dps',
      ok: true,
      detail: "DPS accepts the console's token",
    })
    expect(byName(r, 'snippet-service')).toMatchObject({
      ok: true,
      detail: "the snippet-service accepts the console's token",
    })
    expect(r.ok).toBe(true)
  })

  it('a 401 from DPS or snippet-service fails with the trust fix for that service', async () => {
    const hub = await startHubSimulator({
      trustedAuthority: 'https://other.lan/m2m-oauth-server',
      trustedCaPem: CONSOLE_CA,
    })
    closers.push(() => hub.close())
    const r = await checkHub(
      deps(
        profile(hub.url, {
          caPem: hub.caPem,
          dpsUrl: hub.dpsUrl,
          snippetServiceUrl: hub.snippetUrl,
        }),
      ),
    )
    for (const [name, who] of [
      ['dps', "DPS's"],
      ['snippet-service', "the snippet-service's"],
    ] as const) {
      const step = byName(r, name)!
      expect(step.ok).toBe(false)
      expect(step.detail).toMatch(/HTTP 401.*does not trust this issuer/)
      expect(step.fix).toContain(`${who} apis.http.authorization.endpoints`)
      expect(step.snippet).toContain('authority: https://console.lan:8443/m2m-oauth-server')
    }
  })

  it('a 403 from DPS names the owner; a wrong address is named with its option', async () => {
    const r = await checkHub(
      deps(
        profile(await gateway(200), {
          dpsUrl: await service(403, DPS_PROBE),
          snippetServiceUrl: await service(200, '/elsewhere'),
        }),
        { issuerOwnerClaim: 'sub', owner: 'alice' },
      ),
    )
    const dps = byName(r, 'dps')!
    expect(dps).toMatchObject({ ok: false })
    expect(dps.detail).toMatch(/DPS refused owner "alice" \(HTTP 403/)
    expect(dps.fix).toMatch(/settings set --owner-claim/)
    const snippets = byName(r, 'snippet-service')!
    expect(snippets).toMatchObject({ ok: false })
    expect(snippets.detail).toMatch(/HTTP 404/)
    expect(snippets.fix).toContain('hubs update lab --snippet-service-url URL')
  })

  it('an unreachable DPS fails as the network failure, naming --dps-url', async () => {
    const server = createTcpServer()
    const port = await listen(server)
    await closers.pop()!()
    const r = await checkHub(
      deps(profile(await gateway(200), { dpsUrl: `http://127.0.0.1:${port}` })),
    )
    const dps = byName(r, 'dps')!
    expect(dps).toMatchObject({ ok: false })
    expect(dps.detail).toMatch(/refused the connection/)
    expect(dps.fix).toContain('--dps-url')
  })

  it('maps every net failure to a fix; DPS and snippet-service name their override option', () => {
    const ctx = { hub: 'lab', hasCa: true, timeoutMs: 10_000 }
    expect(netFix(new NetError('tls', 'x', { tls: 'untrusted' }), ctx)).toMatch(
      /CA given with --ca did not sign/,
    )
    expect(netFix(new NetError('tls', 'x', { tls: 'hostname' }), ctx)).toMatch(/subjectAltName/)
    expect(netFix(new NetError('tls', 'x', { tls: 'expired' }), ctx)).toMatch(/renew/)
    expect(netFix(new NetError('timeout', 'x'), ctx)).toMatch(/10 s/)
    expect(netFix(new NetError('dns', 'x'), { ...ctx, urlOption: '--dps-url' })).toMatch(
      /hubs update lab --dps-url URL/,
    )
  })
})
