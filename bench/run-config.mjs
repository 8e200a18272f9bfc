// bench/run.mjs's settings from the environment (documented at the top of run.mjs); a value it
// cannot use stops the run with the variable's name and what it takes.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, envNumber } from './lib.mjs'

export function config() {
  return {
    durationS: envNumber('BENCH_DURATION', 10, 1),
    warmupS: envNumber('BENCH_WARMUP', 2, 0),
    rounds: Math.round(envNumber('BENCH_ROUNDS', 5, 1)),
    connections: Math.round(envNumber('BENCH_CONNECTIONS', 50, 1)),
    spawnRuns: Math.round(envNumber('BENCH_SPAWN_RUNS', 5, 1)),
    serveNodeArgs: (process.env.BENCH_SERVE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
    prototype: process.env.BENCH_PROTOTYPE === '1',
    variant: variantConfig(),
    perf: process.env.BENCH_PERF === '1',
    only: onlyConfig(),
  }
}

/** The loads BENCH_ONLY may name; "none" keeps ours and the reference alone. */
const OPTIONAL_LOADS = [
  'referenceTwoThreads',
  'oidcProvider',
  'twoAcceptorPrototype',
  'variant',
  'trustLookup',
  'none',
]

function onlyConfig() {
  if (!process.env.BENCH_ONLY) return undefined
  const names = process.env.BENCH_ONLY.split(',').map((s) => s.trim())
  const unknown = names.filter((n) => !OPTIONAL_LOADS.includes(n))
  if (unknown.length > 0) {
    throw new Error(
      `BENCH_ONLY: no load named ${unknown.join(', ')}; use ${OPTIONAL_LOADS.join(', ')}`,
    )
  }
  return names
}

/** BENCH_VARIANT_*: a second serve (another build, other Node flags or environment), or none. */
function variantConfig() {
  const {
    BENCH_VARIANT_ROOT: root,
    BENCH_VARIANT_NODE_ARGS: args,
    BENCH_VARIANT_ENV: env,
  } = process.env
  if (!root && !args && !env) return undefined
  const cli = join(root || ROOT, 'bin', 'plgd-m2m-console.js')
  if (!existsSync(join(root || ROOT, 'dist/cli/cli.js'))) {
    throw new Error(`BENCH_VARIANT_ROOT: ${root} has no built CLI (bin/ and dist/cli/ of a build)`)
  }
  const pairs = (env ?? '').split(/\s+/).filter(Boolean)
  const bad = pairs.filter((pair) => pair.indexOf('=') < 1)
  if (bad.length > 0) throw new Error(`BENCH_VARIANT_ENV: ${bad.join(' ')} is not NAME=value`)
  return {
    cli,
    nodeArgs: (args ?? '').split(/\s+/).filter(Boolean),
    env: Object.fromEntries(
      pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    ),
  }
}
