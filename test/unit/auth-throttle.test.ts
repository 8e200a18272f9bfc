// @vitest-environment node
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AuthThrottle, type ThrottleOptions } from '../../electron/oauth/auth-throttle.js'

const options = (failures: number): ThrottleOptions => ({
  clientFailures: failures,
  failures,
  windowSeconds: 60,
  blockSeconds: 30,
})

async function fail(
  throttle: AuthThrottle,
  times: number,
  key: (i: number) => [string | undefined, string],
) {
  for (let i = 0; i < times; i++) await throttle.recordFailure(...key(i))
}

afterEach(() => {
  vi.useRealTimers()
})

describe('AuthThrottle', () => {
  it('lets anyone through before any failure', async () => {
    const throttle = new AuthThrottle(options(3))
    expect(await throttle.retryAfter('dev', '10.0.0.1')).toBe(0)
    expect(await throttle.retryAfter(undefined, '10.0.0.1')).toBe(0)
  })

  it.each<
    [string, number, (i: number) => [string | undefined, string], [string | undefined, string]]
  >([
    // [keyed by, budget, who fails, who asks next]
    ['client id (from many addresses)', 3, (i) => ['dev', `10.0.0.${i}`], ['dev', '10.9.9.9']],
    ['client id, budget 1', 1, (i) => ['dev', `10.0.0.${i}`], ['dev', '10.9.9.9']],
    ['client id, budget 10', 10, (i) => ['dev', `10.0.0.${i}`], ['dev', '10.9.9.9']],
    ['address (many client ids)', 3, (i) => [`c${i}`, '10.0.0.1'], ['other', '10.0.0.1']],
    ['address (no client id)', 3, () => [undefined, '10.0.0.1'], [undefined, '10.0.0.1']],
    ['address, asked with a client id', 3, () => [undefined, '10.0.0.1'], ['dev', '10.0.0.1']],
  ])(
    'by %s: 0 within the budget, > 0 after one more failure',
    async (_name, budget, who, asker) => {
      const throttle = new AuthThrottle(options(budget))
      await fail(throttle, budget, who)
      expect(await throttle.retryAfter(...asker)).toBe(0)
      await fail(throttle, 1, (i) => who(budget + i))
      const wait = await throttle.retryAfter(...asker)
      expect(wait).toBeGreaterThan(0)
      expect(wait).toBeLessThanOrEqual(30)
    },
  )

  it('leaves another client from another address unaffected', async () => {
    const throttle = new AuthThrottle(options(3))
    await fail(throttle, 10, () => ['attacker', '10.0.0.1'])
    expect(await throttle.retryAfter('attacker', '10.0.0.2')).toBeGreaterThan(0)
    expect(await throttle.retryAfter('other', '10.0.0.1')).toBeGreaterThan(0)
    expect(await throttle.retryAfter('other', '10.0.0.2')).toBe(0)
    expect(await throttle.retryAfter(undefined, '10.0.0.2')).toBe(0)
  })

  it('keeps separate budgets for a client id and an address with the same text', async () => {
    const throttle = new AuthThrottle(options(2))
    await fail(throttle, 3, (i) => ['10.0.0.1', `192.168.0.${i}`])
    expect(await throttle.retryAfter('x', '10.0.0.1')).toBe(0)
    expect(await throttle.retryAfter('10.0.0.1', '10.0.0.2')).toBeGreaterThan(0)
  })

  it('does not count retryAfter itself as a failure', async () => {
    const throttle = new AuthThrottle(options(2))
    for (let i = 0; i < 20; i++) expect(await throttle.retryAfter('dev', '10.0.0.1')).toBe(0)
  })

  it('lifts the block once it has run out', async () => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z'), toFake: ['Date', 'setTimeout'] })
    const throttle = new AuthThrottle(options(2))
    await fail(throttle, 3, () => ['dev', '10.0.0.1'])
    const wait = await throttle.retryAfter('dev', '10.0.0.1')
    expect(wait).toBeGreaterThan(0)
    expect(wait).toBeLessThanOrEqual(30)
    vi.advanceTimersByTime(61_000)
    expect(await throttle.retryAfter('dev', '10.0.0.1')).toBe(0)
  })

  it('does not let one address lock a client out', async () => {
    const throttle = new AuthThrottle({ ...options(3), clientFailures: 15, blockSeconds: 60 })
    await fail(throttle, 10, () => ['dps', '203.0.113.9'])
    expect(await throttle.retryAfter('dps', '203.0.113.9')).toBeGreaterThan(0)
    expect(await throttle.retryAfter('dps', '198.51.100.7')).toBe(0)
  })
})
