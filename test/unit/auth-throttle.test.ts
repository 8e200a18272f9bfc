// @vitest-environment node
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  AuthThrottle,
  DEFAULT_THROTTLE,
  type ThrottleOptions,
} from '../../electron/oauth/auth-throttle.js'

const options = (failures: number): ThrottleOptions => ({
  failures,
  windowSeconds: 60,
  blockSeconds: 30,
})

async function fail(throttle: AuthThrottle, times: number, address: (i: number) => string) {
  const blocked: boolean[] = []
  for (let i = 0; i < times; i++) blocked.push(await throttle.recordFailure(address(i)))
  return blocked
}

afterEach(() => {
  vi.useRealTimers()
})

describe('AuthThrottle', () => {
  it('lets anyone through before any failure', async () => {
    const throttle = new AuthThrottle(options(3))
    expect(await throttle.retryAfter('10.0.0.1')).toBe(0)
  })

  it.each([1, 3, 10])(
    'with a budget of %i, refuses the address from its budget-th failure on',
    async (budget) => {
      const throttle = new AuthThrottle(options(budget))
      const blocked = await fail(throttle, budget - 1, () => '10.0.0.1')
      expect(blocked.every((b) => !b)).toBe(true)
      expect(await throttle.retryAfter('10.0.0.1')).toBe(0)
      expect(await fail(throttle, 1, () => '10.0.0.1')).toEqual([true])
      const wait = await throttle.retryAfter('10.0.0.1')
      expect(wait).toBeGreaterThan(0)
      expect(wait).toBeLessThanOrEqual(30)
    },
  )

  it('by default allows exactly the 10 failures a minute the README promises', async () => {
    expect(DEFAULT_THROTTLE).toEqual({ failures: 10, windowSeconds: 60, blockSeconds: 60 })
    const throttle = new AuthThrottle()
    await fail(throttle, 9, () => '10.0.0.1')
    expect(await throttle.retryAfter('10.0.0.1')).toBe(0)
    await fail(throttle, 1, () => '10.0.0.1')
    const wait = await throttle.retryAfter('10.0.0.1')
    expect(wait).toBeGreaterThan(50)
    expect(wait).toBeLessThanOrEqual(60)
  })

  it('never refuses an address for the failures of other addresses', async () => {
    // Six addresses (or a thousand) failing for one client id do not touch a seventh.
    const throttle = new AuthThrottle(options(3))
    await fail(throttle, 6 * 3, (i) => `10.0.0.${i % 6}`)
    for (let i = 0; i < 6; i++) expect(await throttle.retryAfter(`10.0.0.${i}`)).toBeGreaterThan(0)
    expect(await throttle.retryAfter('10.0.0.7')).toBe(0)
  })

  it('mayRefuse is true exactly while an address could be refused: after a failure, within the window and block', async () => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z'), toFake: ['Date', 'setTimeout'] })
    const throttle = new AuthThrottle(options(2))
    expect(throttle.mayRefuse('10.0.0.1')).toBe(false)
    await fail(throttle, 2, () => '10.0.0.1')
    expect(throttle.mayRefuse('10.0.0.1')).toBe(true)
    expect(throttle.mayRefuse('10.0.0.2')).toBe(false)
    expect(await throttle.retryAfter('10.0.0.1')).toBeGreaterThan(0)
    // Window (60 s) plus block (30 s): after that the address is a stranger again.
    vi.advanceTimersByTime(91_000)
    expect(throttle.mayRefuse('10.0.0.1')).toBe(false)
    expect(await throttle.retryAfter('10.0.0.1')).toBe(0)
  })

  it('does not count retryAfter itself as a failure', async () => {
    const throttle = new AuthThrottle(options(2))
    for (let i = 0; i < 20; i++) expect(await throttle.retryAfter('10.0.0.1')).toBe(0)
  })

  it('lifts the block once it has run out', async () => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z'), toFake: ['Date', 'setTimeout'] })
    const throttle = new AuthThrottle(options(2))
    await fail(throttle, 2, () => '10.0.0.1')
    const wait = await throttle.retryAfter('10.0.0.1')
    expect(wait).toBeGreaterThan(0)
    expect(wait).toBeLessThanOrEqual(30)
    vi.advanceTimersByTime(31_000)
    expect(await throttle.retryAfter('10.0.0.1')).toBe(0)
  })

  it('forgets failures older than the window', async () => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z'), toFake: ['Date', 'setTimeout'] })
    const throttle = new AuthThrottle(options(3))
    await fail(throttle, 2, () => '10.0.0.1')
    vi.advanceTimersByTime(61_000)
    expect(await fail(throttle, 2, () => '10.0.0.1')).toEqual([false, false])
    expect(await throttle.retryAfter('10.0.0.1')).toBe(0)
  })

  it('refuses a budget that is not a positive integer', () => {
    expect(() => new AuthThrottle(options(0))).toThrow(/positive integer/)
  })
})
