import type { AuthenticationStats } from '../../shared/contract/index.js'
import type { Logger } from '../platform/logger.js'

export interface AuthMonitorOptions {
  /** Log lines about failed authentications allowed per minute; the rest are counted only. */
  linesPerMinute: number
  nowMs: () => number
}

const DEFAULTS: AuthMonitorOptions = { linesPerMinute: 30, nowMs: () => Date.now() }
const MINUTE_MS = 60_000

/** What a failed client authentication tells the log: never a secret or an assertion. */
export interface FailedAuthentication {
  clientId: string | undefined
  address: string
  /** The specific reason, which the caller is not told (CLIENT_AUTH_FAILED). */
  reason: string
  /** How the client tried: client_secret_basic, client_secret_post, a client assertion, none. */
  method: string
}

/**
 * Counts failed client authentications and throttle blocks since start (status.get shows them
 * on the dashboard) and logs them, at most `linesPerMinute` lines a minute: an attacker must
 * not be able to flood the journal, yet an admin still learns that an attack is going on and
 * how big it is from the summary line written once the minute is over.
 */
export class AuthMonitor {
  readonly #log: Logger | undefined
  readonly #options: AuthMonitorOptions
  readonly #since: number
  #failures = 0
  #throttled = 0
  #blocks = 0
  #lastFailureAt: number | null = null
  #windowStart: number
  #linesInWindow = 0
  #suppressed = 0

  constructor(log: Logger | undefined, options: Partial<AuthMonitorOptions> = {}) {
    this.#log = log
    this.#options = { ...DEFAULTS, ...options }
    this.#windowStart = this.#options.nowMs()
    this.#since = Math.floor(this.#windowStart / 1000)
  }

  failed(event: FailedAuthentication): void {
    this.#failures++
    this.#lastFailureAt = Math.floor(this.#options.nowMs() / 1000)
    this.#write('client authentication failed', {
      clientId: event.clientId === undefined ? null : printable(event.clientId),
      address: event.address,
      method: event.method,
      reason: printable(event.reason, 300),
    })
  }

  /** An address used up its budget: it is refused for `seconds`. */
  blocked(address: string, failures: number, seconds: number): void {
    this.#blocks++
    this.#write(
      `address blocked for ${seconds} s after ${failures} failed client authentications`,
      { address },
    )
  }

  /** A request refused (429) because its address is blocked. */
  refused(address: string, clientId: string | undefined, retryAfter: number): void {
    this.#throttled++
    this.#write('request refused: its address is blocked after failed client authentications', {
      address,
      clientId: clientId === undefined ? null : printable(clientId),
      retryAfter,
    })
  }

  stats(): AuthenticationStats {
    return {
      failures: this.#failures,
      throttled: this.#throttled,
      blocks: this.#blocks,
      lastFailureAt: this.#lastFailureAt,
      since: this.#since,
    }
  }

  #write(message: string, fields: Record<string, unknown>): void {
    if (!this.#log) return
    const now = this.#options.nowMs()
    if (now - this.#windowStart >= MINUTE_MS) {
      if (this.#suppressed > 0) {
        this.#log.warn('authentication events not logged (rate limit)', {
          notLogged: this.#suppressed,
          failuresSinceStart: this.#failures,
          throttledSinceStart: this.#throttled,
        })
      }
      this.#windowStart = now
      this.#linesInWindow = 0
      this.#suppressed = 0
    }
    if (this.#linesInWindow < this.#options.linesPerMinute) {
      this.#linesInWindow++
      this.#log.warn(message, fields)
      if (this.#linesInWindow === this.#options.linesPerMinute) {
        this.#log.warn(
          'further authentication events this minute are counted, not logged (see the dashboard)',
          {},
        )
      }
      return
    }
    this.#suppressed++
  }
}

/** Caller-chosen text, made safe for a one-line log: no control characters, bounded length. */
function printable(text: string, max = 128): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?')
  return clean.length > max ? `${clean.slice(0, max)}…` : clean
}
