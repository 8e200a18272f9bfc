// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { AuthMonitor } from '../../electron/oauth/auth-monitor.js'
import { recordingLogger } from '../helpers/fakes.js'

function monitor(linesPerMinute = 3) {
  const log = recordingLogger()
  const clock = { ms: 1_700_000_000_000 }
  const m = new AuthMonitor(log, { linesPerMinute, nowMs: () => clock.ms })
  const fail = (clientId = 'dps') =>
    m.failed({ clientId, address: '10.0.0.1', reason: 'wrong secret', method: 'none' })
  return { m, log, clock, fail }
}

describe('AuthMonitor', () => {
  it('counts every event, logs at most linesPerMinute a minute, then says how many it skipped', () => {
    const { m, log, clock, fail } = monitor(3)
    for (let i = 0; i < 50; i++) fail()
    m.blocked('10.0.0.1', 10, 60)
    m.refused('10.0.0.1', 'dps', 60)
    expect(m.stats()).toMatchObject({ failures: 50, blocks: 1, throttled: 1 })
    const failedLines = log.entries.filter((e) => e.message === 'client authentication failed')
    expect(failedLines).toHaveLength(3)
    expect(log.entries.some((e) => /counted, not logged/.test(e.message))).toBe(true)
    clock.ms += 60_000
    fail()
    const summary = log.entries.find((e) => /not logged \(rate limit\)/.test(e.message))
    expect(summary?.fields).toMatchObject({ notLogged: 47 + 2, failuresSinceStart: 51 })
    expect(log.entries.at(-1)?.message).toBe('client authentication failed')
  })

  it('keeps control characters of a caller-chosen client id out of the log line', () => {
    const { log, fail } = monitor()
    fail('evil\ninfo: forged line')
    expect(log.entries[0]?.fields?.clientId).toBe('evil?info: forged line')
  })

  it('starts with nothing counted and the start time', () => {
    const { m } = monitor()
    expect(m.stats()).toEqual({
      failures: 0,
      throttled: 0,
      blocks: 0,
      lastFailureAt: null,
      since: 1_700_000_000,
    })
  })
})
