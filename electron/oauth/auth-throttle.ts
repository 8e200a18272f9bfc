import { RateLimiterMemory } from 'rate-limiter-flexible'

export interface ThrottleOptions {
  /** Failed authentications allowed per key within `windowSeconds`. */
  failures: number
  windowSeconds: number
  /** How long a key stays refused once over budget. */
  blockSeconds: number
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  failures: 10,
  windowSeconds: 60,
  blockSeconds: 60,
}

/**
 * A budget of failed client authentications per client id and per remote address. Only
 * failures are counted, so a healthy client never pays for it; a blocked key is refused before
 * its secret is even checked, which is what stops a brute force.
 */
export class AuthThrottle {
  readonly #byClient: RateLimiterMemory
  readonly #byAddress: RateLimiterMemory
  readonly #points: number

  constructor(options: ThrottleOptions = DEFAULT_THROTTLE) {
    const opts = {
      points: options.failures,
      duration: options.windowSeconds,
      blockDuration: options.blockSeconds,
    }
    this.#byClient = new RateLimiterMemory({ ...opts, keyPrefix: 'client' })
    this.#byAddress = new RateLimiterMemory({ ...opts, keyPrefix: 'addr' })
    this.#points = options.failures
  }

  /** Seconds to wait when either key is over budget, else 0. */
  async retryAfter(clientId: string | undefined, address: string): Promise<number> {
    const [byAddress, byClient] = await Promise.all([
      this.#byAddress.get(address),
      clientId === undefined ? null : this.#byClient.get(clientId),
    ])
    let wait = 0
    for (const res of [byAddress, byClient]) {
      if (res && res.consumedPoints > this.#points)
        wait = Math.max(wait, Math.ceil(res.msBeforeNext / 1000))
    }
    return wait
  }

  async recordFailure(clientId: string | undefined, address: string): Promise<void> {
    // consume() rejects once over budget, which is what starts the block; that is expected here.
    const swallow = (): void => undefined
    await Promise.all([
      this.#byAddress.consume(address).catch(swallow),
      clientId === undefined ? undefined : this.#byClient.consume(clientId).catch(swallow),
    ])
  }
}
