// Types for test/unit/perf-split.test.ts: the bench scripts are plain ES modules.
export declare const PERF_HZ: number
export declare const BUCKET_NAMES: string[]
export interface PerfSample {
  mainThread: boolean
  /** Leaf first, each "address symbol". */
  frames: string[]
}
export interface PerfSplit {
  samples: number
  seconds: number
  tokens: number
  total: number
  byBucket: Record<string, number>
  byThread: { main: number; other: number }
}
export declare function recordPerf(pid: number, seconds: number, file: string): Promise<string>
export declare function parsePerfScript(text: string): PerfSample[]
export declare function bucketOf(frames: string[]): string
export declare function perfSplit(
  file: string,
  options: { seconds: number; tokens: number },
): PerfSplit
