import { PerformanceObserver } from 'node:perf_hooks'
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8'

/**
 * A token endpoint at full speed makes V8 double its young generation up to 16 MiB per
 * semi-space and lets old-generation garbage grow to four times the live heap: ~40 MiB of RSS
 * that a small provisioning station pays for little speed. The isolate's size limits are fixed before
 * any of our code runs, so the bounds are kept with the two V8 flags that are read each time the
 * heap grows. Both are process-wide: the signing thread has its own young-generation limit
 * (SIGNING_WORKER_LIMITS) as well.
 */
const MiB = 1024 * 1024
const V8_DEFAULT_GROWTH_FACTOR = 2
export const SEMI_SPACE_BOUND_MIB = 2
/**
 * 100 rather than V8's up-to-4 ×: a collection once the old generation has doubled. 60 cost
 * a mark-compact (2 to 8 ms of pause) every second under load for ~4 MiB less RSS.
 */
const OLD_GENERATION_GROWTH_PERCENT = 100

/**
 * The young generation stops growing (growth factor 1) once a semi-space reaches
 * `semiSpaceMiB`, checked after every collection. Call it first thing: compiling the CLI bundle
 * alone grows it to 4 MiB. Until the returned function is called.
 */
export function boundYoungGeneration(semiSpaceMiB = SEMI_SPACE_BOUND_MIB): () => void {
  const setGrowthFactor = (factor: number): void => {
    setFlagsFromString(`--semi-space-growth-factor=${factor}`)
  }
  // Collections are reported between tasks; a long synchronous stretch could grow the young
  // generation twice before the first report, so it may grow only once a report came in.
  // Set on every report, not only on change: starting a worker puts V8's flag back to 2.
  setGrowthFactor(1)
  const observer = new PerformanceObserver(() => {
    setGrowthFactor(semiSpaceBytes() >= semiSpaceMiB * MiB ? 1 : V8_DEFAULT_GROWTH_FACTOR)
  })
  observer.observe({ entryTypes: ['gc'] })
  return () => {
    observer.disconnect()
    setGrowthFactor(V8_DEFAULT_GROWTH_FACTOR)
  }
}

/**
 * The old generation is collected once it is (1 + `growthPercent` / 100) × its live size. Call
 * it once the process is up: while start-up builds the live heap it would only add full
 * collections (50 ms more to `serve`'s first token). Until the returned function is called.
 */
export function boundOldGeneration(growthPercent = OLD_GENERATION_GROWTH_PERCENT): () => void {
  setFlagsFromString(`--heap-growing-percent=${growthPercent}`)
  return () => setFlagsFromString('--heap-growing-percent=0')
}

/**
 * Scavenges on the thread whose heap it is, not shared with V8's helper threads. On a small
 * machine the helpers wait for a core beside the event loop, the signing thread and the
 * clients, and the scavenge waits for them: a token's tail latency. V8 reads this flag at each
 * scavenge, so it can be set with the process up (the marking flags cannot: V8 aborts). It is
 * process-wide, the signing thread included. Until the returned function is called.
 */
export function scavengeOnOneThread(): () => void {
  setFlagsFromString('--no-parallel-scavenge')
  return () => setFlagsFromString('--parallel-scavenge')
}

/** One semi-space of the young generation: V8 reports the pair. */
export function semiSpaceBytes(): number {
  const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')
  return (space?.space_size ?? 0) / 2
}
