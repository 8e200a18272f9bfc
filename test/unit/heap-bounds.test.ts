import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The bounds set process-wide V8 flags and act on a heap that has not grown yet, so each case
// runs in a fresh Node process (no flags) with the module transpiled as it is.
const dir = mkdtempSync(join(tmpdir(), 'heap-bounds-'))

/** Churns a rolling live set across many tasks, as a busy server does, then reports. */
const HARNESS = `
const { Worker } = require('node:worker_threads')
const { getHeapSpaceStatistics } = require('node:v8')
const { boundOldGeneration, boundYoungGeneration, semiSpaceBytes } = require('./heap-bounds.js')
const [, , young, old] = process.argv
if (young === 'bounded') boundYoungGeneration(2)
if (old === 'bounded') boundOldGeneration(30)
const settled = []
for (let i = 0; i < 20000; i++) settled.push({ i, name: 'settled-' + i })
let live = []
let turns = 0
let oldSpacePeak = 0
const oldSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_size
function turn() {
  oldSpacePeak = Math.max(oldSpacePeak, oldSpace())
  for (let i = 0; i < 2000; i++) {
    live.push({ id: 'request-' + turns + '-' + i, parts: [i, turns], body: { n: i } })
  }
  if (live.length > 60000) live = live.slice(30000)
  // A worker started mid-way, as the signing thread is: it resets V8's growth factor.
  if (turns === 100) new Worker('setTimeout(() => {}, 100)', { eval: true })
  if (++turns < 600) return setImmediate(turn)
  const semiSpaceMiB = semiSpaceBytes() / 1048576
  global.gc()
  const oldLive = getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_used_size
  process.stdout.write(JSON.stringify({
    semiSpaceMiB,
    oldPeakOverLive: oldSpacePeak / oldLive,
    settled: settled.length,
  }))
}
setImmediate(turn)
`

/** Churns the young generation with --trace-gc-nvp on: how many scavenges V8's helpers joined. */
const SCAVENGES = `
const { scavengeOnOneThread } = require('./heap-bounds.js')
if (process.argv[2] === 'one') scavengeOnOneThread()
let live = []
for (let t = 0; t < 400; t++) {
  for (let i = 0; i < 2000; i++) live.push({ id: 'r-' + t + '-' + i, parts: [i, t] })
  if (live.length > 60000) live = live.slice(30000)
}
`

beforeAll(() => {
  const source = readFileSync(join(__dirname, '../../electron/platform/heap-bounds.ts'), 'utf8')
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  })
  writeFileSync(join(dir, 'heap-bounds.js'), outputText)
  writeFileSync(join(dir, 'harness.js'), HARNESS)
  writeFileSync(join(dir, 'scavenges.js'), SCAVENGES)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface AfterChurn {
  semiSpaceMiB: number
  /** The old generation's largest size over the churn / its live size at the end. */
  oldPeakOverLive: number
}

async function churn(young: Bound, old: Bound): Promise<AfterChurn> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', 'harness.js', young, old],
    {
      cwd: dir,
      timeout: 20_000,
    },
  )
  return JSON.parse(stdout) as AfterChurn
}
type Bound = 'bounded' | 'unbounded'

describe('boundYoungGeneration', () => {
  it('lets V8 grow the young generation without it (the churn is enough to grow it)', async () => {
    // 16 MiB here, run after run.
    expect((await churn('unbounded', 'unbounded')).semiSpaceMiB).toBeGreaterThanOrEqual(8)
  }, 30_000)

  it('holds a semi-space at the bound under the same churn', async () => {
    const { semiSpaceMiB } = await churn('bounded', 'unbounded')
    expect(semiSpaceMiB).toBeGreaterThan(0)
    // 2 MiB on a quiet machine. The bound is applied when V8 reports a collection, between
    // tasks: on a loaded machine two scavenges can land before the report, and the semi-space
    // doubles once past the bound (4 MiB in about one run of three with the CPU shared).
    // One doubling, never the 16 MiB of the unbounded run above.
    expect(semiSpaceMiB).toBeLessThanOrEqual(4)
  }, 30_000)
})

describe('boundOldGeneration', () => {
  it('collects promoted garbage before the old generation doubles', async () => {
    // Unbounded, V8 let this churn's old generation reach 4.3-5.7 x its live size; at 30 %,
    // 2.0-2.2 x (marking runs while the churn goes on).
    expect((await churn('unbounded', 'unbounded')).oldPeakOverLive).toBeGreaterThan(3)
    expect((await churn('unbounded', 'bounded')).oldPeakOverLive).toBeLessThan(3)
  }, 30_000)
})

describe('scavengeOnOneThread', () => {
  /** Scavenges, and those in which V8's helper threads did some of the work. */
  async function scavenges(mode: 'one' | 'default'): Promise<{ all: number; helped: number }> {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--trace-gc-nvp', 'scavenges.js', mode],
      { cwd: dir, timeout: 20_000, maxBuffer: 1 << 24 },
    )
    const helperMs = stdout
      .split('\n')
      .filter((line) => line.includes('gc=s '))
      .map((line) => Number(/background\.scavenge\.parallel=([\d.]+)/.exec(line)?.[1]))
    return { all: helperMs.length, helped: helperMs.filter((ms) => ms > 0).length }
  }

  it('keeps every scavenge on its own thread; without it V8 hands parts to its helpers', async () => {
    const without = await scavenges('default')
    expect(without.all).toBeGreaterThan(5)
    // 19 to 21 of 19 to 21 scavenges here.
    expect(without.helped).toBeGreaterThan(0)
    const one = await scavenges('one')
    expect(one.all).toBeGreaterThan(5)
    expect(one.helped).toBe(0)
  }, 30_000)
})
