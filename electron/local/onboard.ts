import type { HubView, LocalOnboardDetail, ParsedInput } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import type { ItemOutcome, JobContext, JobHandler } from '../jobs/job-handler.js'
import type { HubDirectory } from '../plgd/hub-context.js'
import type { ClientAppContext } from './client-app-context.js'
import {
  CLOUD_CONF_HREF,
  devicePath,
  failedOutcome,
  numberOf,
  onDevice,
  pollResource,
  requireOwned,
  sleep,
  stored,
  type DeviceCall,
} from './onboard-device.js'
import { explainCloudFailure, explainMintFailure, OnboardFailure } from './onboard-failures.js'

/** The job's input as stored: the client-application's URL resolved when it was started. */
export type LocalOnboard = ParsedInput<'local.onboard'> & { clientAppUrl: string }

/** What the onboarding needs of one of our clients. */
export interface OnboardClient {
  audiences: string[]
  /** 0: no cap of its own. */
  maxLifetimeSeconds: number
  allowDeviceId: boolean
}

export interface MintRequest {
  clientId: string
  owner: string
  deviceId: string | undefined
  lifetimeSeconds: number
  audiences: string[]
  name: string
  hub: string
}

export interface OnboardDeps {
  hubs: HubDirectory
  clientApp(url: string): ClientAppContext
  client(id: string): OnboardClient | undefined
  /** Mints a token (in the ledger) and writes its `token.issued_by_admin` audit entry. */
  mintDeviceToken(
    request: MintRequest,
  ): Promise<{ accessToken: string; jti: string; expiresAt: number }>
  issuer(): {
    url: string
    caPem: string | null
    ownerClaim: string
    deviceIdClaim: string
    maxLifetimeSeconds: number
  }
  /** Between polls (1 s by default, as plgd's UI polls the cloud status). */
  pollMs?: number
  nowMs?: () => number
}

/** The cloud configuration resource (oic.r.coapcloudconf); a device never shows `at`. */
interface CloudConf {
  cps?: string
  clec?: number | string
  cis?: string
}

/** The token's lifetime: what was asked, within the client's cap and the issuer's. */
export function boundedLifetime(requested: number, clientCap: number, issuerCap: number): number {
  const caps = [requested, issuerCap, ...(clientCap > 0 ? [clientCap] : [])].filter((n) => n > 0)
  return Math.min(...caps)
}

/** `coaps+tcp://host:port`: client-application wants a scheme; some hubs publish host:port. */
export function coapGatewayAddress(published: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(published) ? published : `coaps+tcp://${published}`
}

/** What the hub profile must have for a direct onboarding; the message names what to set. */
export function onboardProfileProblem(profile: HubView): string | null {
  if (!profile.coapGateway) {
    return `hub ${profile.name} publishes no coap-gateway address (hub-configuration coapGateway): have the hub admin publish it, or set the profile's coapGateway override, then \`hubs update ${profile.name} --rediscover\``
  }
  if (!profile.hubCaPem) {
    return `hub ${profile.name} publishes no CA bundle (hub-configuration certificateAuthorities), which the device needs to trust coap-gateway: have the hub admin publish it, then \`hubs update ${profile.name} --rediscover\``
  }
  return null
}

/**
 * `local.onboard`: for each owned device, mints a token of this issuer for the client
 * coap-gateway's provider uses (owner claim = the client-application's device owner), gives
 * it as `authorizationCode` to client-application's onboard (interop §6.2, §6.4), then follows
 * the cloud status until `registered`, or explains a failure with where and how to fix it. The
 * token is never logged nor stored in the job: only its jti and expiry are.
 */
export function onboardHandler(deps: OnboardDeps): JobHandler<LocalOnboard> {
  return {
    kind: 'local.onboard',
    title: (input) => `onboard ${input.deviceIds.length} device(s) to hub ${input.hub}`,
    initialItems: (input) => [...new Set(input.deviceIds)],
    run: (ctx) => new OnboardRun(deps, ctx).run(),
  }
}

class OnboardRun {
  readonly #now: () => number
  #profile!: HubView
  #app!: ClientAppContext
  #owner = ''

  constructor(
    private readonly deps: OnboardDeps,
    private readonly ctx: JobContext<LocalOnboard>,
  ) {
    this.#now = deps.nowMs ?? Date.now
  }

  async run(): Promise<void> {
    const { input } = this.ctx
    this.#profile = this.deps.hubs.open(this.ctx.hub).profile
    const problem = onboardProfileProblem(this.#profile)
    if (problem) throw new AppError('invalid_input', problem)
    if (!this.deps.client(input.clientId)) {
      throw new AppError('not_found', `no client ${input.clientId}: \`clients list\` shows them`)
    }
    this.#app = this.deps.clientApp(input.clientAppUrl)
    const owner = await this.#app.owner(this.ctx.signal)
    if (!owner) {
      throw new AppError(
        'invalid_input',
        `client-application at ${this.#app.url} has no device owner this console knows: \`local init --owner OWNER\` (\`local status\` tells more)`,
      )
    }
    this.#owner = owner
    return this.ctx.forEachPending((key, signal) => this.#device(key, signal))
  }

  async #device(deviceId: string, signal: AbortSignal): Promise<ItemOutcome> {
    const call: DeviceCall = { client: this.#app.client, url: this.#app.url, deviceId, signal }
    const detail: LocalOnboardDetail = { deviceStatus: null }
    let token: string | undefined
    try {
      await requireOwned(call)
      const minted = await this.#mint(deviceId)
      token = minted.accessToken
      detail.token = { jti: minted.jti, expiresAt: minted.expiresAt }
      this.ctx.update(deviceId, { state: 'running', detail: stored(detail) })
      const coapGateway = coapGatewayAddress(this.#profile.coapGateway)
      await onDevice(call, 'onboarding', () =>
        call.client.json('POST', `${devicePath(deviceId)}/onboard`, {
          body: {
            coapGatewayAddress: coapGateway,
            authorizationCode: minted.accessToken,
            authorizationProviderName: this.ctx.input.providerName,
            hubId: this.#profile.hubId,
            certificateAuthorities: this.#profile.hubCaPem,
          },
          signal,
        }),
      )
      return await this.#follow(call, detail, coapGateway)
    } catch (err) {
      if (err instanceof OnboardFailure && !signal.aborted) {
        return failedOutcome(detail, scrubbed(err, token))
      }
      // Whatever else is said of the failure must not carry the token either.
      if (token && err instanceof Error && err.message.includes(token)) {
        throw new Error(err.message.split(token).join('<token>'))
      }
      throw err
    }
  }

  async #mint(deviceId: string): Promise<{ accessToken: string; jti: string; expiresAt: number }> {
    const { clientId, tokenLifetimeSeconds } = this.ctx.input
    const client = this.deps.client(clientId)
    if (!client)
      throw new OnboardFailure('token', `no client ${clientId}: \`clients list\` shows them`)
    const issuer = this.deps.issuer()
    // The device id goes in when the client may carry one, and must when the hub reads one.
    const withDeviceId = client.allowDeviceId || this.#profile.deviceIdClaim !== ''
    try {
      return await this.deps.mintDeviceToken({
        clientId,
        owner: this.#owner,
        deviceId: withDeviceId ? deviceId : undefined,
        lifetimeSeconds: boundedLifetime(
          tokenLifetimeSeconds,
          client.maxLifetimeSeconds,
          issuer.maxLifetimeSeconds,
        ),
        audiences: client.audiences,
        name: `console: onboard ${deviceId}`,
        hub: this.ctx.hub,
      })
    } catch (err) {
      throw explainMintFailure(err, { clientId, owner: this.#owner, deviceId })
    }
  }

  async #follow(
    call: DeviceCall,
    detail: LocalOnboardDetail,
    coapGateway: string,
  ): Promise<ItemOutcome> {
    const { deviceId, signal } = call
    const since = this.#now()
    const seconds = this.ctx.input.timeoutSeconds
    let last = ''
    for (;;) {
      if (signal.aborted) throw new Error('cancelled')
      const conf = await pollResource<CloudConf>(call, CLOUD_CONF_HREF)
      if (conf) detail.deviceStatus = conf.cps ?? null
      if (conf?.cps === 'registered') return { state: 'done', detail: stored(detail) }
      if (conf?.cps === 'failed') {
        const issuer = this.deps.issuer()
        throw explainCloudFailure(
          {
            deviceId,
            hub: this.ctx.hub,
            hubId: this.#profile.hubId,
            coapGateway,
            providerName: this.ctx.input.providerName,
            clientId: this.ctx.input.clientId,
            issuer: issuer.url,
            issuerCaPem: issuer.caPem,
            hubAuthority: this.#profile.authority,
            ownerClaim: this.#profile.ownerClaim,
            deviceIdClaim: this.#profile.deviceIdClaim,
            owner: this.#owner,
          },
          numberOf(conf.clec),
        )
      }
      if (this.#now() - since >= seconds * 1000) {
        const seen = detail.deviceStatus
          ? `its cloud status was still "${detail.deviceStatus}"`
          : 'its cloud status could not be read'
        return {
          state: 'timeout',
          detail: stored(detail),
          message: `device ${deviceId} did not register at coap-gateway ${coapGateway} within ${seconds} s: ${seen}. Check that the device is online and reaches that address, then onboard again (a longer \`--timeout\` if it is slow)`,
        }
      }
      const snapshot = JSON.stringify(detail)
      if (snapshot !== last) {
        last = snapshot
        this.ctx.update(deviceId, { state: 'running', detail: stored(detail) })
      }
      await sleep(this.deps.pollMs ?? 1000, signal)
    }
  }
}

/** A failure whose words quote an answer that might echo the token: never the token itself. */
function scrubbed(failure: OnboardFailure, token: string | undefined): OnboardFailure {
  if (!token || !failure.message.includes(token)) return failure
  return new OnboardFailure(
    failure.place,
    failure.message.split(token).join('<token>'),
    failure.snippet,
  )
}
