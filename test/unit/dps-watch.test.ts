import { describe, expect, it } from 'vitest'
import { dpsWatchInput } from '../../shared/contract/index.js'
import type { ItemOutcome, JobContext } from '../../electron/jobs/job-handler.js'
import { explainStepFailure, type FailureContext } from '../../electron/plgd/dps-failures.js'
import { provisioningSteps, stepView } from '../../electron/plgd/dps-provisioning.js'
import { dpsWatchHandler, type DpsWatch } from '../../electron/plgd/dps-watch.js'
import type { HubDirectory } from '../../electron/plgd/hub-context.js'
import { FakeDps, ISSUER, hubContext } from './dps-fixtures.js'

const OK = { date: '1751476400000000000', coapCode: 68 }
const done = {
  plgdTime: OK,
  ownership: { status: OK },
  credential: { status: OK },
  acl: { status: OK },
  cloud: { status: OK },
}

describe('provisioning steps', () => {
  it.each([
    [{ coapCode: 68, date: '1' }, 'done'],
    [{ coapCode: 205 }, 'done'],
    [{ date: '1751476400000000000' }, 'done'],
    [{ errorMessage: 'boom', coapCode: 68 }, 'failed'],
    [{ coapCode: 132 }, 'failed'],
    [{}, 'pending'],
    [undefined, 'pending'],
  ] as const)('%j is %s', (status, state) => expect(stepView('acl', status).state).toBe(state))

  it('maps every record part to its step, in the contract order', () => {
    const steps = provisioningSteps({ ...done, acl: { status: { errorMessage: 'no' } } })
    expect(steps.map((s) => [s.step, s.state])).toEqual([
      ['ownership', 'done'],
      ['credentials', 'done'],
      ['acl', 'failed'],
      ['cloud', 'done'],
      ['plgdTime', 'done'],
    ])
  })
})

describe('failure translations', () => {
  const ctx: FailureContext = {
    deviceId: 'dev-1',
    step: 'credentials',
    groupOwner: '1',
    clientId: 'dps',
    issuer: ISSUER,
    hub: 'lab',
  }
  it.each([
    [
      'invalid owner claim: the token of client dps carries https://plgd.dev/owner="3", the enrollment group owner is "1"',
      /tokens carry owner 3 but the enrollment group's owner is 1/,
    ],
    [
      'the oauth client returned an owner claim that does not match the group owner',
      /tokens carry another owner than the enrollment group's \(1\)/,
    ],
    [
      'cannot get token: oauth2: cannot fetch token: 400 Bad Request\nResponse: {"error":"invalid_request","error_description":"owner 1 is not allowed"}',
      /client cannot get a token for owner 1/,
    ],
    [
      'cannot get token: oauth2: cannot fetch token: 401 Unauthorized',
      /DPS cannot authenticate at this issuer.*Re-run `dps setup --hub lab --client dps/,
    ],
    [
      'cannot sign certificate: certificate-authority: rpc error: code = Unauthenticated desc = invalid token: unknown issuer',
      /certificate-authority does not trust this issuer.*authorization.endpoints/,
    ],
    [
      `Get "${ISSUER}/.well-known/openid-configuration": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
      /DPS does not trust the console's CA.*provider.http.tls.caPool/,
    ],
    [
      'certificate-authority: connection error: x509: certificate signed by unknown authority',
      /certificateAuthority.grpc.tls.caPool/,
    ],
    [
      'token does not carry the device id claim https://plgd.dev/deviceId',
      /allow device ids on the client/,
    ],
    [
      'Post "https://console.example.lan:8443/m2m-oauth-server/oauth/token": dial tcp: connection refused',
      /DPS cannot reach this issuer/,
    ],
  ])('%s', (message, expected) => {
    const text = explainStepFailure({ ...ctx, step: 'credentials' }, message)
    expect(text).toMatch(expected)
    expect(text).toContain(`(DPS: ${message})`)
  })

  it('keeps DPS words when no rule knows them', () => {
    expect(explainStepFailure(ctx, 'something odd')).toBe(
      'credentials failed at DPS: something odd',
    )
  })
})

/** The runner's side of the seam: items in a map, every outcome recorded. */
function fakeJob(input: DpsWatch, signal = new AbortController().signal) {
  const outcomes = new Map<string, ItemOutcome>()
  const updates: [string, ItemOutcome][] = []
  const ctx: JobContext<DpsWatch> = {
    id: 'job-1',
    hub: 'lab',
    input,
    signal,
    concurrency: 1000,
    async forEachPending(work) {
      await Promise.all(
        input.deviceIds.map(async (key) => {
          try {
            outcomes.set(key, await work(key, signal))
          } catch (err) {
            outcomes.set(key, { state: 'failed', message: (err as Error).message })
          }
        }),
      )
    },
    update: (key, outcome) => updates.push([key, outcome]),
    append: () => undefined,
  }
  return { ctx, outcomes, updates }
}

function handler(dps: FakeDps, now: () => number) {
  const hubs: HubDirectory = { open: () => hubContext(dps) }
  return dpsWatchHandler({
    hubs,
    mintBearer: async (id) => ({ token: `bearer-of-${id}`, expiresAt: null }),
    clientOwner: () => '1',
    issuer: () => ISSUER,
    pollMs: 1,
    nowMs: now,
  })
}

describe('dps.watch handler', () => {
  it('polls in batches of 100 ids with the DPS client bearer until every device is final', async () => {
    const dps = new FakeDps()
    const ids = Array.from({ length: 150 }, (_, i) => `dev-${i}`)
    const input = dpsWatchInput.parse({
      hub: 'lab',
      clientId: 'dps',
      deviceIds: ids,
      timeoutSeconds: 60,
    })
    const job = fakeJob(input)
    let polls = 0
    dps.fail = (_m, path) => {
      if (path !== '/api/v1/provisioning-records') return undefined
      // Devices progress: first nothing, then partway, then done (dev-7 fails its ACLs).
      polls++
      if (polls === 3) {
        dps.records = ids.map((deviceId) => ({
          deviceId,
          owner: '1',
          plgdTime: OK,
          ownership: { status: OK },
        }))
      }
      if (polls === 5) {
        dps.records = ids.map((deviceId) =>
          deviceId === 'dev-7'
            ? { deviceId, owner: '1', ...done, acl: { status: { errorMessage: 'cannot set acl' } } }
            : { deviceId, owner: '1', ...done },
        )
      }
      return undefined
    }
    await handler(dps, () => 0).run(job.ctx)
    const reads = dps.calls.filter((c) => c.path === '/api/v1/provisioning-records')
    expect(reads.length).toBe(6)
    expect(
      reads.map((c) => (c.request!.query!.deviceIdFilter as string[]).length).slice(0, 2),
    ).toEqual([100, 50])
    expect(reads.every((c) => c.bearer === 'bearer-of-dps')).toBe(true)
    expect(job.outcomes.get('dev-0')).toMatchObject({ state: 'done' })
    expect(job.outcomes.get('dev-7')).toMatchObject({ state: 'failed' })
    expect(job.outcomes.get('dev-7')!.message).toMatch(/^acl failed at DPS: cannot set acl/)
    const steps = (job.outcomes.get('dev-0')!.detail as { steps: { state: string }[] }).steps
    expect(steps.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done', 'done'])
    // Progress is reported once per change (all pending, then partway), not once per poll.
    expect(job.updates.filter(([k]) => k === 'dev-0').length).toBe(2)
  })

  it('times a device out when nothing happens, saying what to check', async () => {
    const dps = new FakeDps()
    let now = 0
    const input = dpsWatchInput.parse({ hub: 'lab', deviceIds: ['dev-1'], timeoutSeconds: 5 })
    const job = fakeJob(input)
    dps.fail = () => {
      now += 2000
      return undefined
    }
    await handler(dps, () => now).run(job.ctx)
    expect(job.outcomes.get('dev-1')).toMatchObject({ state: 'timeout' })
    expect(job.outcomes.get('dev-1')!.message).toMatch(
      /no provisioning record for device dev-1 within 5 s/,
    )
    // Without --client, the hub profile's bearer reads the records.
    expect(dps.calls[0]!.bearer).toBe('hub-bearer')
  })

  it('stops every device with the reason when DPS refuses the bearer', async () => {
    const dps = new FakeDps()
    dps.fail = () => Object.assign(new Error('DPS refused the token'), { status: 401 })
    const input = dpsWatchInput.parse({ hub: 'lab', deviceIds: ['a', 'b'] })
    const job = fakeJob(input)
    await handler(dps, () => 0).run(job.ctx)
    expect([...job.outcomes.values()].map((o) => o.state)).toEqual(['failed', 'failed'])
  })

  it('ends when cancelled', async () => {
    const dps = new FakeDps()
    const controller = new AbortController()
    const input = dpsWatchInput.parse({ hub: 'lab', deviceIds: ['a'] })
    const job = fakeJob(input, controller.signal)
    dps.fail = () => {
      controller.abort('cancel')
      return undefined
    }
    await handler(dps, () => 0).run(job.ctx)
    expect(job.outcomes.get('a')!.state).toBe('failed')
  })
})
