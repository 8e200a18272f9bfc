/**
 * At most one call per `intervalMs` (about four a second by default) for a stream of changes,
 * the last one never dropped: a change inside the interval is sent when it ends. `now()` sends
 * at once (a state change), cancelling what was waiting.
 */
export class ChangeThrottle {
  #last = -Infinity
  #timer: NodeJS.Timeout | undefined

  constructor(
    private readonly send: () => void,
    private readonly intervalMs = 250,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  changed(): void {
    if (this.#timer) return
    const wait = this.#last + this.intervalMs - this.clock()
    if (wait <= 0) return this.now()
    this.#timer = setTimeout(() => this.now(), wait)
  }

  now(): void {
    this.cancel()
    this.#last = this.clock()
    this.send()
  }

  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
  }
}
