import type {
  LocalOnboardDetail,
  ParsedInput,
  ProvisioningStepView,
} from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import type { ItemOutcome, JobContext, JobHandler } from '../jobs/job-handler.js'
import { explainStepFailure } from '../plgd/dps-failures.js'
import { provisioningSteps } from '../plgd/dps-provisioning.js'
import { CachedBearer, type MintedBearer } from '../plgd/hub-bearer.js'
import type { HubDirectory } from '../plgd/hub-context.js'
import type { PlgdClient } from '../plgd/plgd-client.js'
import type { ClientAppContext } from './client-app-context.js'
import { DpsRecordBatches, type RecordRead } from './dps-record-batches.js'
import {
  DPS_CONF_HREF,
  failedOutcome,
  numberOf,
  onDevice,
  pollResource,
  requireOwned,
  resourcePath,
  sleep,
  stored,
  type DeviceCall,
} from './onboard-device.js'
import {
  dpsFailurePlace,
  explainDeviceDpsFailure,
  explainPointTimeout,
  missingDpsEndpoint,
  OnboardFailure,
} from './onboard-failures.js'

/** The job's input as stored: the client-application's URL resolved when it was started. */
export type PointAtDps = ParsedInput<'local.pointAtDps'> & { clientAppUrl: string }

export interface PointAtDpsDeps {
  hubs: HubDirectory
  clientApp(url: string): ClientAppContext
  /** A short-lived bearer of the DPS client (the group owner's), in the ledger. */
  mintBearer(clientId: string, hub: string): Promise<MintedBearer>
  issuer(): string
  /** Between polls (1.5 s by default). */
  pollMs?: number
  nowMs?: () => number
}

/** The x.plgd.dps.conf resource as the device's DPS client publishes it (interop §3.6). */
interface DpsConf {
  endpoint?: string
  provisionStatus?: string
  lastErrorCode?: number | string
}

/**
 * `local.pointAtDps`: writes the hub's device-facing DPS address into each owned device's
 * /plgd/dps, then follows the device's provisionStatus and its provisioning record at DPS side
 * by side. Done when the device says `provisioned` (and DPS's record, when it can be read,
 * has every step done); failed with where it failed; timed out with what was seen last.
 */
export function pointAtDpsHandler(deps: PointAtDpsDeps): JobHandler<PointAtDps> {
  return {
    kind: 'local.pointAtDps',
    title: (input) => `point ${input.deviceIds.length} device(s) at DPS of hub ${input.hub}`,
    initialItems: (input) => [...new Set(input.deviceIds)],
    run: (ctx) => new PointAtDpsRun(deps, ctx).run(),
  }
}

class PointAtDpsRun {
  readonly #now: () => number
  #endpoint = ''
  #app!: ClientAppContext
  #records: DpsRecordBatches | null = null
  /** Why DPS is not read at all (no DPS address in the profile, say). */
  #noDps: string | null = null

  constructor(
    private readonly deps: PointAtDpsDeps,
    private readonly ctx: JobContext<PointAtDps>,
  ) {
    this.#now = deps.nowMs ?? Date.now
  }

  async run(): Promise<void> {
    const hub = this.deps.hubs.open(this.ctx.hub)
    const endpoint = hub.profile.dpsDeviceEndpoint
    // The whole job fails: no device can be pointed anywhere.
    if (!endpoint) throw new AppError('invalid_input', missingDpsEndpoint(this.ctx.hub))
    this.#endpoint = endpoint
    this.#app = this.deps.clientApp(this.ctx.input.clientAppUrl)
    this.#records = this.#dpsReader()
    await this.ctx.forEachPending((key, signal) => this.#device(key, signal))
  }

  #dpsReader(): DpsRecordBatches | null {
    const { clientId } = this.ctx.input
    const hub = this.deps.hubs.open(this.ctx.hub)
    try {
      let dps: PlgdClient
      if (clientId) {
        // One bearer until shortly before it expires, not one per poll: each is a ledger row.
        const bearer = new CachedBearer(
          () => this.deps.mintBearer(clientId, this.ctx.hub),
          () => Math.floor(this.#now() / 1000),
        )
        dps = hub.client('dps', () => bearer.get())
      } else dps = hub.client('dps')
      return new DpsRecordBatches(dps, this.ctx.signal)
    } catch (err) {
      // No DPS API address: the device's own status still tells the story.
      this.#noDps = err instanceof Error ? err.message : String(err)
      return null
    }
  }

  async #device(deviceId: string, signal: AbortSignal): Promise<ItemOutcome> {
    const call: DeviceCall = { client: this.#app.client, url: this.#app.url, deviceId, signal }
    const detail: LocalOnboardDetail = { deviceStatus: null }
    try {
      await requireOwned(call)
      await onDevice(call, `writing ${DPS_CONF_HREF}`, () =>
        call.client.json('PUT', resourcePath(deviceId, DPS_CONF_HREF), {
          body: { endpoint: this.#endpoint },
          signal,
        }),
      )
      return await this.#follow(call, detail)
    } catch (err) {
      if (err instanceof OnboardFailure && !signal.aborted) return failedOutcome(detail, err)
      throw err
    }
  }

  async #follow(call: DeviceCall, detail: LocalOnboardDetail): Promise<ItemOutcome> {
    const { deviceId, signal } = call
    const since = this.#now()
    const seconds = this.ctx.input.timeoutSeconds
    let recordSeen = false
    let last = ''
    for (;;) {
      if (signal.aborted) throw new Error('cancelled')
      const [conf, read] = await Promise.all([
        pollResource<DpsConf>(call, DPS_CONF_HREF),
        this.#readRecord(deviceId),
      ])
      if (conf) detail.deviceStatus = conf.provisionStatus ?? null
      let steps: ProvisioningStepView[] | undefined
      if (read.readable === true) {
        recordSeen ||= read.record !== undefined
        steps = provisioningSteps(read.record)
        detail.dpsSteps = steps
      }
      const failedStep = steps?.find((s) => s.state === 'failed')
      if (failedStep) {
        const said = failedStep.message ?? `CoAP code ${failedStep.coapCode}`
        const message = explainStepFailure(
          {
            deviceId,
            step: failedStep.step,
            groupOwner: read.readable === true ? (read.record?.owner ?? null) : null,
            clientId: this.ctx.input.clientId ?? null,
            issuer: this.deps.issuer(),
            hub: this.ctx.hub,
          },
          said,
        )
        return failedOutcome(detail, new OnboardFailure(dpsFailurePlace(said), message))
      }
      const status = conf?.provisionStatus
      if (status === 'failure' || (status === 'transient failure' && !recordSeen)) {
        // DPS has no record: the device did not get as far as DPS (or DPS turned it away).
        const message = explainDeviceDpsFailure({
          deviceId,
          status,
          lastErrorCode: numberOf(conf?.lastErrorCode),
          endpoint: this.#endpoint,
          hub: this.ctx.hub,
          steps: recordSeen ? steps : undefined,
        })
        return failedOutcome(detail, new OnboardFailure('device', message))
      }
      // A record DPS shows must be done too; one it does not show (read as another owner) cannot.
      const dpsDone = !recordSeen || !steps || steps.every((s) => s.state === 'done')
      if (status === 'provisioned' && dpsDone) return { state: 'done', detail: stored(detail) }
      if (this.#now() - since >= seconds * 1000) {
        const message = explainPointTimeout({
          deviceId,
          hub: this.ctx.hub,
          seconds,
          deviceStatus: detail.deviceStatus,
          recordSeen,
          steps,
          dpsProblem: read.readable === false ? read.problem : null,
          endpoint: this.#endpoint,
        })
        return { state: 'timeout', detail: stored(detail), message }
      }
      const snapshot = JSON.stringify(detail)
      if (snapshot !== last) {
        last = snapshot
        this.ctx.update(deviceId, { state: 'running', detail: stored(detail) })
      }
      await sleep(this.deps.pollMs ?? 1500, signal)
    }
  }

  #readRecord(deviceId: string): Promise<RecordRead> {
    if (!this.#records) return Promise.resolve({ readable: false, problem: this.#noDps ?? '' })
    return this.#records.read(deviceId)
  }
}
