import { lookup } from 'node:dns/promises'
import { connect as tcpConnect, isIP } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import type { HubCheck, HubCheckResult, HubView } from '../../shared/contract/index.js'
import { request, type NetResponse } from '../net/http-client.js'
import { classifyNetError, NetError } from '../net/net-error.js'
import { checkAuth, checkServiceAuth } from './hub-check-auth.js'
import { netFix, type FixContext } from './hub-check-fixes.js'
import { HUB_CONFIGURATION_PATH, parseHubConfiguration } from './hub-discovery.js'
import type { IssuerTrust } from './hub-trust-snippet.js'
import { buildUrl } from './plgd-url.js'
import { snippetApiPath } from './snippet-paths.js'

export interface HubCheckDeps {
  profile: HubView
  bearer: () => Promise<string>
  /** Who the bearer names as owner (the auth client's owner, or the pasted token's claim). */
  owner: string
  /** The claim our issuer puts the owner in (settings: ownerClaim). */
  issuerOwnerClaim: string
  issuer: IssuerTrust
  nowMs?: () => number
  /** Per step; 10 s by default. */
  timeoutMs?: number
}

/** plgd has no `iat` leeway: beyond this skew its services refuse fresh tokens. */
export const MAX_CLOCK_SKEW_MS = 5000
const NIL_UUID = '00000000-0000-0000-0000-000000000000'

/**
 * Checks a hub profile layer by layer (DNS, TCP, TLS, discovery, auth, owner, clock, DPS,
 * snippet-service), each failure naming what to change. A layer that fails skips the ones
 * that depend on it.
 */
export async function checkHub(deps: HubCheckDeps): Promise<HubCheckResult> {
  const timeoutMs = deps.timeoutMs ?? 10_000
  const nowMs = deps.nowMs ?? Date.now
  const { profile } = deps
  const url = new URL(profile.url)
  const checks: HubCheck[] = []
  const ctx = { hub: profile.name, hasCa: profile.caPem !== null, timeoutMs }

  const reached = await reachHost(url, profile.caPem, timeoutMs, checks, ctx)
  if (reached) {
    const started = nowMs()
    const discovery = await httpStep(checks, 'discovery', ctx, () =>
      // The profile's URL has no trailing slash; a path prefix (behind a proxy) is kept.
      request(`${profile.url}${HUB_CONFIGURATION_PATH}`, {
        caPem: profile.caPem ?? undefined,
        timeoutMs,
      }),
    )
    const ended = nowMs()
    if (discovery) {
      const hubTime = discoveryStep(checks, discovery, profile)
      await checkAuth(checks, {
        ...deps,
        timeoutMs,
        devicesUrl: `${profile.url}/api/v1/devices?deviceIdFilter=${NIL_UUID}`,
      })
      clockStep(checks, hubTime, (started + ended) / 2)
    }
  }
  const authDeps = { ...deps, timeoutMs }
  if (profile.dpsUrl) {
    await checkServiceAuth(
      checks,
      authDeps,
      {
        name: 'dps',
        label: 'DPS',
        config: "DPS's apis.http.authorization.endpoints",
        url: buildUrl(profile.dpsUrl, '/api/v1/hubs', { idFilter: NIL_UUID }).href,
      },
      { ...ctx, urlOption: '--dps-url' },
    )
  }
  if (profile.snippetServiceUrl) {
    const base = profile.snippetServiceUrl
    const path = snippetApiPath(base, '/configurations')
    await checkServiceAuth(
      checks,
      authDeps,
      {
        name: 'snippet-service',
        label: 'the snippet-service',
        config: "the snippet-service's apis.http.authorization.endpoints",
        url: buildUrl(base, path, { httpIdFilter: `${NIL_UUID}/latest` }).href,
      },
      { ...ctx, urlOption: '--snippet-service-url' },
    )
  }
  return { ok: checks.every((c) => c.ok), checks }
}

type StepContext = FixContext

function fail(checks: HubCheck[], name: string, err: unknown, ctx: StepContext): void {
  const net = err instanceof NetError ? err : new NetError('other', (err as Error).message)
  checks.push({ name, ok: false, detail: net.message, fix: netFix(net, ctx) })
}

/** dns, tcp and (https) tls against the gateway's host: true when all passed. */
async function reachHost(
  url: URL,
  caPem: string | null,
  timeoutMs: number,
  checks: HubCheck[],
  ctx: StepContext,
): Promise<boolean> {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
  let address = host
  try {
    if (isIP(host)) {
      checks.push({ name: 'dns', ok: true, detail: `${host} is an address: nothing to resolve` })
    } else {
      address = (await timed(lookup(host), timeoutMs, url, 'resolve')).address
      checks.push({ name: 'dns', ok: true, detail: `${host} resolves to ${address}` })
    }
  } catch (err) {
    fail(checks, 'dns', classifyNetError(err, url), ctx)
    return false
  }
  try {
    await timed(
      socketOpen(() => tcpConnect({ host: address, port })),
      timeoutMs,
      url,
      'connect',
    )
    checks.push({ name: 'tcp', ok: true, detail: `${address}:${port} accepts connections` })
  } catch (err) {
    fail(checks, 'tcp', classifyNetError(err, url), ctx)
    return false
  }
  if (url.protocol !== 'https:') return true
  try {
    const detail = await timed(tlsHandshake(host, port, caPem), timeoutMs, url, 'complete TLS')
    checks.push({ name: 'tls', ok: true, detail })
  } catch (err) {
    fail(checks, 'tls', classifyNetError(err, url), ctx)
    return false
  }
  return true
}

function socketOpen(open: () => ReturnType<typeof tcpConnect>): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = open()
    socket.once('connect', () => {
      socket.destroy()
      resolve()
    })
    socket.once('error', (err) => {
      socket.destroy()
      reject(err)
    })
  })
}

function tlsHandshake(host: string, port: number, caPem: string | null): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host,
      port,
      ...(isIP(host) ? {} : { servername: host }),
      ...(caPem ? { ca: caPem } : {}),
    })
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate()
      socket.destroy()
      const who = cert.subject?.CN ?? host
      resolve(`certificate for ${who}, valid until ${cert.valid_to}, trusted`)
    })
    socket.once('error', (err) => {
      socket.destroy()
      reject(err)
    })
  })
}

function timed<T>(work: Promise<T>, ms: number, url: URL, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new NetError('timeout', `${url.host} did not ${what} within ${ms / 1000} s`)),
      ms,
    )
  })
  return Promise.race([work, limit]).finally(() => clearTimeout(timer))
}

async function httpStep(
  checks: HubCheck[],
  name: string,
  ctx: StepContext,
  send: () => Promise<NetResponse>,
): Promise<NetResponse | undefined> {
  try {
    return await send()
  } catch (err) {
    fail(checks, name, err, ctx)
    return undefined
  }
}

/** The hub's clock in ms (currentTime, else the Date header), or null. */
function discoveryStep(checks: HubCheck[], res: NetResponse, profile: HubView): number | null {
  const fix = `is ${profile.url} the hub's http-gateway (the URL the hub UI calls, without /api/v1)?`
  if (res.status !== 200) {
    checks.push({
      name: 'discovery',
      ok: false,
      detail: `${HUB_CONFIGURATION_PATH} answered HTTP ${res.status}`,
      fix,
    })
    return dateHeader(res)
  }
  try {
    const config = parseHubConfiguration(JSON.parse(res.body.toString('utf8')))
    const changed = config.hub.hubId !== profile.hubId && profile.hubId !== ''
    checks.push({
      name: 'discovery',
      ok: true,
      detail: `hub ${config.hub.hubId || '(no id)'}, owner claim ${config.hub.ownerClaim}`,
      ...(changed
        ? {
            fix: `the hub id changed since the profile was saved: \`hubs update ${profile.name} --rediscover\``,
          }
        : {}),
    })
    return config.currentTimeMs ?? dateHeader(res)
  } catch {
    checks.push({
      name: 'discovery',
      ok: false,
      detail: `${HUB_CONFIGURATION_PATH} did not answer a hub configuration (JSON object)`,
      fix,
    })
    return dateHeader(res)
  }
}

function dateHeader(res: NetResponse): number | null {
  const date = res.headers.date ? Date.parse(res.headers.date) : NaN
  return Number.isNaN(date) ? null : date
}

function clockStep(checks: HubCheck[], hubMs: number | null, oursMs: number): void {
  if (hubMs === null) {
    checks.push({
      name: 'clock',
      ok: true,
      detail: 'the hub gives no time (no currentTime nor Date)',
    })
    return
  }
  const skew = hubMs - oursMs
  const seconds = (Math.abs(skew) / 1000).toFixed(1)
  const words = skew < 0 ? 'behind' : 'ahead of'
  if (Math.abs(skew) <= MAX_CLOCK_SKEW_MS) {
    checks.push({
      name: 'clock',
      ok: true,
      detail: `the hub's clock is ${seconds} s ${words} ours`,
    })
    return
  }
  const backdate = Math.ceil(Math.abs(skew) / 1000) + 1
  checks.push({
    name: 'clock',
    ok: false,
    detail: `the hub's clock is ${seconds} s ${words} ours; plgd allows no iat leeway (5 s at most here)`,
    fix:
      skew < 0
        ? `fix NTP on the hub or on this computer, or set \`settings set --iat-backdate ${backdate}\` so tokens are not issued in the hub's future`
        : `fix NTP (time sync) on the hub or on this computer: tokens look ${seconds} s older to the hub`,
  })
}
