// The hub simulator (test/fixtures/hub-simulator) for bench/plgd.mjs, in its own process so its
// work does not skew the bench's timings, driven over IPC. It counts what the simulator's HTTP
// log does not: the requests in flight of an apply (invoke and applied-configuration reads) and
// when each device list's last byte was written.
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { spawnTracked } from './lib.mjs'

const OWNER = '1'
const now = () => performance.timeOrigin + performance.now()

if (process.argv.includes('--child')) await simulatorChild()

/** Starts this file as the simulator's process; `call(op, args)` runs an op there. */
export function startSimulator() {
  const child = spawnTracked(process.execPath, [fileURLToPath(import.meta.url), '--child'], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let next = 0
  const waiting = new Map()
  child.on('message', ({ id, result, error }) => {
    const w = waiting.get(id)
    waiting.delete(id)
    if (error) w?.reject(new Error(`simulator: ${error}`))
    else w?.resolve(result)
  })
  child.exited.then(() => {
    for (const w of waiting.values()) w.reject(new Error(`simulator exited:\n${child.stderrText}`))
  })
  const call = (op, args = {}) =>
    new Promise((resolve, reject) => {
      const id = ++next
      waiting.set(id, { resolve, reject })
      child.send({ id, op, args })
    })
  return { child, call }
}

/**
 * The simulator in its own process (so its work does not skew the bench's timings), driven over
 * IPC, counting what its HTTP log does not: requests in flight of the apply (invoke and
 * applied-configuration reads) and when each device list's last byte was written.
 */
async function simulatorChild() {
  const { startHubSimulator } = await import('../test/fixtures/hub-simulator/index.mjs')
  let sim
  const apply = { inFlight: 0, max: 0, count: 0 }
  const lists = []
  const isApply = (method, path) =>
    (method === 'POST' && /^\/snippet-service\/api\/v1\/configurations\/[^/?]+$/.test(path)) ||
    (method === 'GET' && path.startsWith('/snippet-service/api/v1/configurations/applied'))
  const ops = {
    async start({ authority, caPem }) {
      sim = await startHubSimulator({ trustedAuthority: authority, trustedCaPem: caPem })
      const begin = sim.requestLog.begin.bind(sim.requestLog)
      sim.requestLog.begin = (method, path) => {
        const end = begin(method, path)
        const counted = isApply(method, path)
        const list = method === 'GET' && /^\/api\/v1\/devices(\?|$)/.test(path) ? {} : undefined
        if (counted) apply.max = Math.max(apply.max, ++apply.inFlight)
        if (list) lists.push(Object.assign(list, { startedAt: now() }))
        return (status) => {
          if (counted) {
            apply.inFlight--
            apply.count++
          }
          if (list) Object.assign(list, { lastByteAt: now(), status })
          end(status)
        }
      }
      return { url: sim.url, caPem: sim.caPem }
    },
    fabricate: ({ count }) => sim.fabricate(count, OWNER),
    stats: () => ({ apply: { ...apply }, lists }),
    resetApply: () => Object.assign(apply, { max: apply.inFlight, count: 0 }),
  }
  process.on('message', async ({ id, op, args }) => {
    try {
      process.send({ id, result: await ops[op](args) })
    } catch (err) {
      process.send({ id, error: String(err?.stack ?? err) })
    }
  })
  process.on('disconnect', () => process.exit(0))
}
