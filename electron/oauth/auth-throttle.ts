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

const DEFAULT_THROTTLE: ThrottleOptions = {
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
  /** Keys with a recorded failure, and until when that can matter (ms): the fast path. */
  readonly #suspects = new Map<string, number>()
  readonly #memoryMs: number
  readonly #addressPoints: number
  readonly #clientPoints: number

  constructor(options: ThrottleOptions = DEFAULT_THROTTLE) {
    const opts = { duration: options.windowSeconds, blockDuration: options.blockSeconds }
    this.#memoryMs = (options.windowSeconds + options.blockSeconds) * 1000
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
    // Nearly every request comes from a key that never failed: no limiter lookups for it.
    if (
      !this.#suspect(`a:${address}`) &&
      (clientId === undefined || !this.#suspect(`c:${clientId}`))
    ) {
      return 0
    }
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
    const until = Date.now() + this.#memoryMs
    if (this.#suspects.size > 100_000) this.#forgetExpired()
    this.#suspects.set(`a:${address}`, until)
    if (clientId !== undefined) this.#suspects.set(`c:${clientId}`, until)
    // consume() rejects once over budget, which is what starts the block; that is expected here.
    const swallow = (): void => undefined
    await Promise.all([
      this.#byAddress.consume(address).catch(swallow),
      clientId === undefined ? undefined : this.#byClient.consume(clientId).catch(swallow),
    ])
  }

  #suspect(key: string): boolean {
    const until = this.#suspects.get(key)
    if (until === undefined) return false
    if (until > Date.now()) return true
    this.#suspects.delete(key)
    return false
  }

  #forgetExpired(): void {
    const now = Date.now()
    for (const [key, until] of this.#suspects) if (until <= now) this.#suspects.delete(key)
  }
}
