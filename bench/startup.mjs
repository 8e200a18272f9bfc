// Start-up of `serve` for bench/run.mjs: the first start on a fresh data directory (vault,
// keys and CA created, a client added), then spawn → ready → first token on the initialised one.
import { performance } from 'node:perf_hooks'
import { readFileSync } from 'node:fs'
import {
  CLI,
  TOKEN_FORM,
  httpsCall,
  memoryOf,
  runCommand,
  spawnTracked,
  stopChild,
  tokenRequestHeaders,
  waitForReady,
} from './lib.mjs'

const ADD_CLIENT = ['clients', 'add', '--id', 'bench', '--owner', '1', '--json', '--data-dir']

/** `serve` on `dataDir`, with the time it was spawned. */
function spawnServe(dataDir) {
  const t0 = performance.now()
  const child = spawnTracked(
    process.execPath,
    [CLI, 'serve', '--listen', '127.0.0.1:0', '--json', '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  return { t0, child }
}

/** Its ready line, how long it took, and the CA its token endpoint is served under. */
async function readyOf(child, t0) {
  const ready = await waitForReady(child)
  return { ready, readyMs: performance.now() - t0, ca: readFileSync(ready.caCertFile, 'utf8') }
}

/** Fresh data directory: vault, signing keys and CA are created by serve itself. */
export async function firstStart(dataDir) {
  const { t0, child } = spawnServe(dataDir)
  try {
    const { ready, readyMs, ca } = await readyOf(child, t0)
    // The client is added by the CLI, which hands it to the running instance's control socket.
    const tAdd = performance.now()
    const added = JSON.parse(await runCommand(process.execPath, [CLI, ...ADD_CLIENT, dataDir]))
    const addClientMs = performance.now() - tAdd
    const headers = tokenRequestHeaders('bench', added.clientSecret)
    const res = await httpsCall(ready.tokenEndpoint, {
      method: 'POST',
      headers,
      body: TOKEN_FORM,
      ca,
    })
    // The CLI round trip is the bench's doing, not start-up: it is left out.
    const firstTokenMs = performance.now() - t0 - addClientMs
    if (res.status !== 200) throw new Error(`fresh start: token endpoint answered ${res.status}`)
    const { rssMiB } = memoryOf(child.pid)
    return { readyMs, addClientMs, firstTokenMs, rssMiB, headers, clientSecret: added.clientSecret }
  } finally {
    await stopChild(child)
  }
}

/** Already initialised data directory: spawn → ready line → first 200 from the token endpoint. */
export async function warmStart(dataDir, headers) {
  const { t0, child } = spawnServe(dataDir)
  try {
    const { ready, readyMs, ca } = await readyOf(child, t0)
    const res = await httpsCall(ready.tokenEndpoint, {
      method: 'POST',
      headers,
      body: TOKEN_FORM,
      ca,
    })
    const firstTokenMs = performance.now() - t0
    if (res.status !== 200) throw new Error(`start-up: token endpoint answered ${res.status}`)
    return { readyMs, firstTokenMs, rssMiB: memoryOf(child.pid).rssMiB }
  } finally {
    await stopChild(child)
  }
}
