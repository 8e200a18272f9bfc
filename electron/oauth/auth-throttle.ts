import { RateLimiterMemory } from 'rate-limiter-flexible'

export interface ThrottleOptions {
  /**
   * Failed authentications a remote address may make within `windowSeconds`; once it has made
   * that many, its requests are refused (429) for `blockSeconds`.
   */
  failures: number
  windowSeconds: number
  /** How long an address stays refused once over budget. */
  blockSeconds: number
}

/** README "Token endpoint": 10 failures a minute, then a minute's block. */
export const DEFAULT_THROTTLE: ThrottleOptions = {
  failures: 10,
  windowSeconds: 60,
  blockSeconds: 60,
}

/**
 * A budget of failed client authentications per remote address. Only failures are counted, so a
 * healthy client never pays for it; a blocked address is refused before its secret is even
 * checked, which is what stops a brute force from it.
 *
 * There is deliberately no budget per client id: one would let strangers (any few addresses,
 * or a web page) keep a client locked out with wrong secrets, while it adds nothing against
 * guessing a 256-bit secret or a private key's signature. Correct credentials from an address
 * that is not itself over budget are always served.
 */
export class AuthThrottle {
  readonly #byAddress: RateLimiterMemory
  /** Addresses with a recorded failure, and until when that can matter (ms): the fast path. */
  readonly #suspects = new Map<string, number>()
  readonly #memoryMs: number
  readonly #options: ThrottleOptions

  constructor(options: ThrottleOptions = DEFAULT_THROTTLE) {
    if (!Number.isSafeInteger(options.failures) || options.failures < 1) {
      throw new RangeError(`the failure budget must be a positive integer, got ${options.failures}`)
    }
    this.#options = options
    this.#memoryMs = (options.windowSeconds + options.blockSeconds) * 1000
    this.#byAddress = new RateLimiterMemory({
      duration: options.windowSeconds,
      points: options.failures,
      keyPrefix: 'addr',
    })
  }

  get options(): Readonly<ThrottleOptions> {
    return this.#options
  }

  /**
   * False for an address with no recent failure, which retryAfter would answer with 0: nearly
   * every request. Checked synchronously, so the token endpoint's hot path makes no promise for it.
   */
  mayRefuse(address: string): boolean {
    return this.#suspect(address)
  }

  /** Seconds the address must wait when it is over budget, else 0. */
  async retryAfter(address: string): Promise<number> {
    if (!this.#suspect(address)) return 0
    const res = await this.#byAddress.get(address)
    if (!res || res.consumedPoints <= this.#options.failures) return 0
    return Math.max(1, Math.ceil(res.msBeforeNext / 1000))
  }

  /** Counts one failure; true when it used up the address's budget (its block starts now). */
  async recordFailure(address: string): Promise<boolean> {
    const until = Date.now() + this.#memoryMs
    if (this.#suspects.size > 100_000) this.#forgetExpired()
    this.#suspects.set(address, until)
    let consumed: number
    try {
      consumed = (await this.#byAddress.consume(address)).consumedPoints
    } catch {
      // consume() rejects once over budget: failures that raced past the check while blocked.
      return false
    }
    if (consumed < this.#options.failures) return false
    // The budget is spent by this failure: refuse from the next request on, for blockSeconds.
    await this.#byAddress.block(address, this.#options.blockSeconds)
    return true
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
