import type { HubCheck, HubView } from '../../shared/contract/index.js'
import { request, type NetResponse } from '../net/http-client.js'
import { NetError } from '../net/net-error.js'
import { netFix, type FixContext } from './hub-check-fixes.js'
import { authorizationEndpointSnippet, type IssuerTrust } from './hub-trust-snippet.js'

export interface AuthCheckDeps {
  profile: HubView
  bearer: () => Promise<string>
  owner: string
  issuerOwnerClaim: string
  issuer: IssuerTrust
  timeoutMs: number
  devicesUrl: string
}

/** The message of a plgd error body (`{"code","message"}`), if the body is one. */
export function plgdMessage(res: NetResponse): string {
  try {
    const body = JSON.parse(res.body.toString('utf8')) as { message?: unknown }
    return typeof body.message === 'string' ? body.message : ''
  } catch {
    return ''
  }
}

/**
 * auth and owner: an authenticated list of no device. 401 means the hub does not trust the
 * bearer's issuer (or the token expired); 403 means it trusts it but refuses the owner.
 */
export async function checkAuth(checks: HubCheck[], deps: AuthCheckDeps): Promise<void> {
  const { profile } = deps
  let bearer: string
  try {
    bearer = await deps.bearer()
  } catch (err) {
    checks.push({
      name: 'auth',
      ok: false,
      detail: `cannot get a bearer for the hub: ${(err as Error).message}`,
      fix:
        profile.auth.kind === 'client'
          ? `check client ${profile.auth.clientId} (\`clients show ${profile.auth.clientId}\`: enabled, with an owner), or choose another with \`hubs update ${profile.name} --client ID\``
          : `paste a fresh token with \`hubs update ${profile.name} --token-file FILE\``,
    })
    return
  }
  let res: NetResponse
  try {
    res = await request(deps.devicesUrl, {
      headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' },
      caPem: profile.caPem ?? undefined,
      timeoutMs: deps.timeoutMs,
    })
  } catch (err) {
    const net = err instanceof NetError ? err : new NetError('other', (err as Error).message)
    checks.push({
      name: 'auth',
      ok: false,
      detail: net.message,
      fix: netFix(net, {
        hub: profile.name,
        hasCa: profile.caPem !== null,
        timeoutMs: deps.timeoutMs,
      }),
    })
    return
  }
  const said = plgdMessage(res)
  const because = said ? `: ${said}` : ''
  if (res.status === 401) {
    checks.push(unauthorized(deps, because))
    return
  }
  const trusted = { name: 'auth', ok: true, detail: "the hub accepts the console's bearer" }
  if (res.status === 403) {
    checks.push(trusted, {
      name: 'owner',
      ok: false,
      detail: `the hub refused owner "${deps.owner}" (HTTP 403${because})`,
      fix: ownerFix(deps),
    })
    return
  }
  if (res.status >= 200 && res.status < 300) {
    checks.push(trusted, {
      name: 'owner',
      ok: true,
      detail: `owner "${deps.owner}" in claim ${profile.ownerClaim}`,
    })
    return
  }
  checks.push({
    name: 'auth',
    ok: false,
    detail: `GET /api/v1/devices answered HTTP ${res.status}${because}`,
    fix: 'the hub failed the call: see its http-gateway and grpc-gateway logs',
  })
}

function unauthorized(
  deps: Omit<AuthCheckDeps, 'devicesUrl'>,
  because: string,
  service?: ServiceProbe,
): HubCheck {
  const { profile } = deps
  const name = service?.name ?? 'auth'
  const who = service?.label ?? 'the hub'
  const detail = `${who} refused the console's bearer (HTTP 401${because})`
  if (profile.auth.kind === 'token') {
    const expired =
      profile.auth.expiresAt !== null && profile.auth.expiresAt * 1000 < Date.now()
        ? 'the pasted token has expired: '
        : ''
    return {
      name,
      ok: false,
      detail,
      fix: `${expired}paste a token from an authority the hub trusts with \`hubs update ${profile.name} --token-file FILE\``,
    }
  }
  return {
    name,
    ok: false,
    detail: `${detail}: ${who} does not trust this issuer`,
    fix: service
      ? `the hub admin adds this issuer to ${service.config} (chart: global.authorization.endpoints), with the console CA in caPool; then ${service.label} restarts`
      : `the hub admin adds this issuer to authorization.endpoints of http-gateway and grpc-gateway (chart: global.authorization.endpoints; DPS, snippet-service, certificate-authority and coap-gateway need it too), with the console CA in caPool; then the services restart`,
    snippet: authorizationEndpointSnippet(deps.issuer),
  }
}

/** A hub service besides the gateway, probed with an authenticated call that lists nothing. */
export interface ServiceProbe {
  name: 'dps' | 'snippet-service'
  /** As a sentence names it: "DPS", "the snippet-service". */
  label: string
  /** Where its admin adds our issuer. */
  config: string
  url: string
}

/**
 * DPS or snippet-service: any answer proves it is there, but only a 2xx proves it accepts our
 * bearer (401: it does not trust our issuer; 403: it refuses the owner).
 */
export async function checkServiceAuth(
  checks: HubCheck[],
  deps: Omit<AuthCheckDeps, 'devicesUrl'>,
  service: ServiceProbe,
  ctx: FixContext,
): Promise<void> {
  const { name } = service
  let res: NetResponse
  try {
    const bearer = await deps.bearer()
    res = await request(service.url, {
      headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' },
      caPem: deps.profile.caPem ?? undefined,
      timeoutMs: deps.timeoutMs,
    })
  } catch (err) {
    // A bearer that cannot be minted is reported (with its fix) by the auth step already.
    const net = err instanceof NetError ? err : new NetError('other', (err as Error).message)
    checks.push({ name, ok: false, detail: net.message, fix: netFix(net, ctx) })
    return
  }
  const said = plgdMessage(res)
  const because = said ? `: ${said}` : ''
  const path = new URL(service.url).pathname
  if (res.status >= 200 && res.status < 300) {
    checks.push({ name, ok: true, detail: `${service.label} accepts the console's token` })
  } else if (res.status === 401) {
    checks.push(unauthorized(deps, because, service))
  } else if (res.status === 403) {
    checks.push({
      name,
      ok: false,
      detail: `${service.label} refused owner "${deps.owner}" (HTTP 403${because})`,
      fix: ownerFix(deps),
    })
  } else {
    checks.push({
      name,
      ok: false,
      detail: `GET ${path} answered HTTP ${res.status}${because}`,
      fix:
        res.status === 404
          ? `is this ${service.label}'s address? \`hubs update ${deps.profile.name} ${ctx.urlOption} URL\``
          : `${service.label} failed the call: see its logs`,
    })
  }
}

function ownerFix(deps: Omit<AuthCheckDeps, 'devicesUrl'>): string {
  const hubClaim = deps.profile.ownerClaim
  if (deps.profile.auth.kind === 'client' && deps.issuerOwnerClaim !== hubClaim) {
    return `the bearer carries owner "${deps.owner}" in claim ${deps.issuerOwnerClaim}, but the hub's jwtOwnerClaim is ${hubClaim}: \`settings set --owner-claim ${hubClaim}\``
  }
  if (!deps.owner) {
    return `the bearer carries no owner; the hub's jwtOwnerClaim is ${hubClaim}: give the client an owner, or use a token with that claim`
  }
  return `the bearer carries owner "${deps.owner}" (claim ${hubClaim}); the hub refuses it for this call: use a client whose owner is the hub user's (\`hubs update ${deps.profile.name} --client ID\`)`
}
