import { PerformanceObserver } from 'node:perf_hooks'
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8'

/**
 * A token endpoint at full speed makes V8 double its young generation up to 16 MiB per
 * semi-space and leaves old-generation garbage to grow to several times the live heap: ~40 MiB
 * of RSS that a small provisioning station pays for little speed. The isolate's size limits
 * are fixed before any of our code runs, so the bounds are kept with the two V8 flags that are
 * read each time the heap grows:
 * - the young generation stops growing (growth factor 1) once a semi-space reaches
 *   `semiSpaceMiB`, checked after every collection;
 * - the old generation may grow to (1 + `oldGrowthPercent` / 100) × its live size before the
 *   next full collection.
 * The flags are process-wide, so a worker's young generation also stops while the main one is
 * at its bound; the signing thread has its own limit as well (SIGNING_WORKER_LIMITS).
 */
export interface HeapBounds {
  semiSpaceMiB: number
  oldGrowthPercent: number
}

export const SERVER_HEAP_BOUNDS: HeapBounds = { semiSpaceMiB: 2, oldGrowthPercent: 60 }

const MiB = 1024 * 1024
const V8_DEFAULT_GROWTH_FACTOR = 2

/** Applies `bounds` to this process until the returned function is called. */
export function boundHeapGrowth(bounds: HeapBounds = SERVER_HEAP_BOUNDS): () => void {
  setFlagsFromString(`--heap-growing-percent=${bounds.oldGrowthPercent}`)
  const setGrowthFactor = (factor: number): void => {
    setFlagsFromString(`--semi-space-growth-factor=${factor}`)
  }
  // Collections are reported between tasks; a long synchronous stretch (start-up) could grow
  // the young generation twice before the first report, so it may grow only once one came in.
  // Set on every report, not only on change: starting a worker puts V8's flag back to 2.
  setGrowthFactor(1)
  const observer = new PerformanceObserver(() => {
    setGrowthFactor(semiSpaceBytes() >= bounds.semiSpaceMiB * MiB ? 1 : V8_DEFAULT_GROWTH_FACTOR)
  })
  observer.observe({ entryTypes: ['gc'] })
  return () => {
    observer.disconnect()
    setFlagsFromString('--heap-growing-percent=0')
    setFlagsFromString(`--semi-space-growth-factor=${V8_DEFAULT_GROWTH_FACTOR}`)
  }
}

/** One semi-space of the young generation: V8 reports the pair. */
export function semiSpaceBytes(): number {
  const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')
  return (space?.space_size ?? 0) / 2
}
