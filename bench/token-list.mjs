// Token requests while plgd token lists run (issue 16 item 6): one owner with BENCH_LIST_TOKENS
// records (default 20,000), BENCH_LIST_PARALLEL full lists (default 4) in a loop, and the
// latency of token requests made meanwhile, against the same requests with no list running.
// Plain HTTP on loopback: this measures the event loop, not TLS. Run: node bench/token-list.mjs
import { Agent, request } from 'node:http'
import {
  CLI,
  envNumber,
  note,
  percentile,
  runBench,
  runCommand,
  spawnTracked,
  stopChild,
  TOKEN_FORM,
  tokenRequestHeaders,
  waitForReady,
} from './lib.mjs'

await runBench(import.meta.url, { name: 'bench-token-list' }, main)

async function main(dir) {
  const tokens = envNumber('BENCH_LIST_TOKENS', 20_000, 1)
  const parallel = envNumber('BENCH_LIST_PARALLEL', 4, 1)
  const cli = (args) => runCommand(process.execPath, [CLI, ...args, '--data-dir', dir, '--json'])
  const client = JSON.parse(await cli(['clients', 'add', '--id', 'bench', '--owner', '1']))
  const serve = spawnTracked(process.execPath, [
    ...[CLI, 'serve', '--listen', '127.0.0.1:0', '--insecure-http', '--json'],
    ...['--data-dir', dir],
  ])
  const ready = await waitForReady(serve)
  const agent = new Agent({ keepAlive: true, maxSockets: 64 })
  const call = (method, path, headers, body) =>
    new Promise((resolve, reject) => {
      const started = performance.now()
      const req = request(new URL(path, ready.issuer), { method, headers, agent }, (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c) => (text += c))
        res.on('end', () =>
          resolve({ status: res.statusCode, text, ms: performance.now() - started }),
        )
      })
      req.on('error', reject)
      req.end(body)
    })
  const token = () =>
    call(
      'POST',
      ready.tokenEndpoint,
      tokenRequestHeaders(client.clientId, client.clientSecret),
      TOKEN_FORM,
    )
  note(`seeding ${tokens} tokens`)
  for (let done = 0; done < tokens; done += 64) {
    await Promise.all(Array.from({ length: Math.min(64, tokens - done) }, token))
  }
  const latencies = async (n) => {
    const ms = []
    for (let i = 0; i < n; i++) ms.push((await token()).ms)
    return ms
  }
  const idle = await latencies(300)
  let listing = true
  let lists = 0
  const listMs = []
  const lister = async () => {
    while (listing) {
      // A fresh bearer each time: the per-bearer rate would otherwise answer 429 quickly.
      const bearer = JSON.parse((await token()).text).access_token
      const res = await call('GET', `${ready.issuer}/api/v1/tokens`, {
        authorization: `Bearer ${bearer}`,
      })
      if (res.status !== 200) throw new Error(`list answered ${res.status}: ${res.text}`)
      listMs.push(res.ms)
      lists++
    }
  }
  const running = Array.from({ length: parallel }, lister)
  const busy = await latencies(300)
  listing = false
  await Promise.all(running)
  const fmt = (ms) =>
    `p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms`
  console.log(
    `token request, idle: ${fmt(idle)}; during ${parallel} parallel lists of ${tokens} tokens ` +
      `(${lists} lists, each ${fmt(listMs)}): ${fmt(busy)}`,
  )
  agent.destroy()
  await stopChild(serve)
}
