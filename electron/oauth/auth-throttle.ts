import { RateLimiterMemory } from 'rate-limiter-flexible'

export interface ThrottleOptions {
  /** Failed authentications allowed per remote address within `windowSeconds`. */
  failures: number
  /**
   * Failed authentications allowed per client id within the window. Higher than the address
   * budget, so one address cannot lock a client (DPS, say) out: that takes several addresses.
   */
  clientFailures?: number
  windowSeconds: number
  /** How long a key stays refused once over budget. */
  blockSeconds: number
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  failures: 10,
  clientFailures: 50,
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
  readonly #addressPoints: number
  readonly #clientPoints: number

  constructor(options: ThrottleOptions = DEFAULT_THROTTLE) {
    const opts = { duration: options.windowSeconds, blockDuration: options.blockSeconds }
    this.#addressPoints = options.failures
    this.#clientPoints = options.clientFailures ?? options.failures * 5
    this.#byClient = new RateLimiterMemory({
      ...opts,
      points: this.#clientPoints,
      keyPrefix: 'client',
    })
    this.#byAddress = new RateLimiterMemory({
      ...opts,
      points: this.#addressPoints,
      keyPrefix: 'addr',
    })
  }

  /** Seconds to wait when either key is over budget, else 0. */
  async retryAfter(clientId: string | undefined, address: string): Promise<number> {
    const [byAddress, byClient] = await Promise.all([
      this.#byAddress.get(address),
      clientId === undefined ? null : this.#byClient.get(clientId),
    ])
    let wait = 0
    const over = (res: typeof byAddress, points: number): void => {
      if (res && res.consumedPoints > points)
        wait = Math.max(wait, Math.ceil(res.msBeforeNext / 1000))
    }
    over(byAddress, this.#addressPoints)
    over(byClient, this.#clientPoints)
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
