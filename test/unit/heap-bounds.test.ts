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
const { boundHeapGrowth, semiSpaceBytes } = require('./heap-bounds.js')
if (process.argv[2] === 'bounded') boundHeapGrowth({ semiSpaceMiB: 2, oldGrowthPercent: 60 })
let live = []
let turns = 0
function turn() {
  for (let i = 0; i < 2000; i++) {
    live.push({ id: 'request-' + turns + '-' + i, parts: [i, turns], body: { n: i } })
  }
  if (live.length > 40000) live = live.slice(20000)
  // A worker started mid-way, as the signing thread is: it resets V8's growth factor.
  if (turns === 100) new Worker('setTimeout(() => {}, 100)', { eval: true })
  if (++turns < 600) setImmediate(turn)
  else process.stdout.write(JSON.stringify({ semiSpaceMiB: semiSpaceBytes() / 1048576 }))
}
setImmediate(turn)
`

beforeAll(() => {
  const source = readFileSync(join(__dirname, '../../electron/platform/heap-bounds.ts'), 'utf8')
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  })
  writeFileSync(join(dir, 'heap-bounds.js'), outputText)
  writeFileSync(join(dir, 'harness.js'), HARNESS)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function semiSpaceAfterChurn(mode: 'bounded' | 'unbounded'): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, ['harness.js', mode], {
    cwd: dir,
    timeout: 20_000,
  })
  return (JSON.parse(stdout) as { semiSpaceMiB: number }).semiSpaceMiB
}

describe('boundHeapGrowth', () => {
  it('lets V8 grow the young generation without it (the churn is enough to grow it)', async () => {
    expect(await semiSpaceAfterChurn('unbounded')).toBeGreaterThan(2)
  }, 30_000)

  it('holds a semi-space at the bound under the same churn', async () => {
    const semi = await semiSpaceAfterChurn('bounded')
    expect(semi).toBeGreaterThan(0)
    expect(semi).toBeLessThanOrEqual(2)
  }, 30_000)
})
