import { describe, expect, it } from 'vitest'
import type { JobItemView } from '../../shared/contract/index.js'
import { describeOnboardItem } from '../../electron/headless/commands/local-onboarding.js'
import { durationSeconds } from '../../electron/headless/commands/values.js'
import { isoTime } from '../../electron/headless/output.js'

const lifetimeSeconds = (text: string) => durationSeconds('--token-lifetime', text)

const item = (over: Partial<JobItemView>): JobItemView => ({
  seq: 1,
  key: 'dev-1',
  state: 'running',
  detail: {},
  message: null,
  rev: 1,
  updatedAt: 0,
  ...over,
})

describe('local onboard and point-at-dps output', () => {
  it.each([
    ['3600', 3600],
    ['90s', 90],
    ['15m', 900],
    ['2h', 7200],
    ['1d', 86_400],
  ])('--token-lifetime %s is %i s', (text, seconds) => expect(lifetimeSeconds(text)).toBe(seconds))

  it('refuses a lifetime it cannot read, naming the option', () => {
    expect(() => lifetimeSeconds('an hour')).toThrow(/--token-lifetime takes a duration/)
  })

  it("shows the device status and the token's jti and expiry, never more of the token", () => {
    const line = describeOnboardItem(
      item({
        detail: { deviceStatus: 'registering', token: { jti: 'j-1', expiresAt: 1_767_225_600 } },
      }),
    )
    expect(line).toBe(
      `dev-1  running  device: registering  token j-1 expires ${isoTime(1_767_225_600)}\n`,
    )
  })

  it('shows where a failure is, its fix and the YAML indented under it', () => {
    const line = describeOnboardItem(
      item({
        state: 'failed',
        message: 'provider "x" does not accept tokens of this issuer',
        detail: { deviceStatus: 'failed', failedAt: 'token', snippet: 'apis:\n  coap: {}\n' },
      }),
    )
    expect(line).toBe(
      'dev-1  failed  device: failed  failed at: token  provider "x" does not accept tokens of this issuer\n    apis:\n      coap: {}\n',
    )
  })
})
