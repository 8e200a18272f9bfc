// Where a token's CPU goes, ours against the reference in the same rounds: `BENCH_PERF=1` makes
// bench/run.mjs record each of their loads with Linux perf (all threads, call graphs) and split
// the samples by what they were doing. Needs `perf` and the right to profile the servers (root,
// or kernel.perf_event_paranoid ≤ 1). The split reads native symbols (OpenSSL, SQLite, V8,
// libuv, the kernel), which perf resolves without help; JavaScript is one bucket, since perf
// maps of JIT code go stale as V8 moves code and attribute samples to the wrong function
// (--cpu-prof is the tool for JavaScript by function).
import { spawn, spawnSync } from 'node:child_process'

/** Samples a second per thread: a prime, so sampling does not beat with a timer. */
export const PERF_HZ = 499

/**
 * Each sample is put in the first bucket that one of its frames matches, walking from the leaf
 * up: a TLS write inside a reply from the signing thread counts as the write, not the reply.
 */
const BUCKETS = [
  [
    'garbage collection',
    /Heap::CollectGarbage|Scaveng|MarkCompact|Marking|Sweeper|MinorGC|heap::base|GCTracer/,
  ],
  ['ES256 signature', /ecdsa|EVP_DigestSign|ecp_nistz|\bBN_|\bbn_/],
  ['ledger (SQLite)', /sqlite3|better_sqlite/],
  ['HMAC of the secret', /HMAC|Hmac/],
  ['TLS write', /SSL_write|ssl3_write|tls_write|aesni_gcm_encrypt|Writev|writev|DoWrite/],
  [
    'TLS read',
    /SSL_read|ssl3_read|tls_read|aesni_gcm_decrypt|OnStreamRead|EncIn|ReadStart|sys_read|recvfrom/,
  ],
  ['thread hand-off', /ValueSerializer|ValueDeserializer|MessagePort|receiveMessageOnPort/],
  ['HTTP parser', /llhttp|node::.*Parser::/],
  ['event loop', /epoll|uv__io_poll|uv_run|uv__async/],
]
/**
 * JIT code (named with --perf-basic-prof, else [unknown]) and V8's builtins: the walk stops at
 * the first such frame, so the native code JavaScript calls (a digest, a write) is counted as
 * that, and JavaScript run from a callback (a parser's, a reply's) is counted as JavaScript.
 */
const JAVASCRIPT = 'JavaScript (ours and Node’s)'
const JS_FRAME = /^\S+\s+(JS:|Builtins_|\[unknown\])/
const REST = 'the rest (kernel, libc, V8 runtime)'
export const BUCKET_NAMES = [...BUCKETS.map(([name]) => name), JAVASCRIPT, REST]

/** Starts `perf record` on a process for `seconds`; resolves once the file is written. */
export function recordPerf(pid, seconds, file) {
  const child = spawn(
    'perf',
    [
      'record',
      '-q',
      '-F',
      String(PERF_HZ),
      '-g',
      '-p',
      String(pid),
      '-o',
      file,
      '--',
      'sleep',
      String(seconds),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk))
  return new Promise((resolve, reject) => {
    child.once('error', (err) =>
      reject(new Error(`perf record: ${err.message} (is perf installed?)`)),
    )
    child.once('exit', (code) =>
      code === 0
        ? resolve(file)
        : reject(new Error(`perf record exited ${code}: ${stderr.trim()}`)),
    )
  })
}

/** The samples of `perf script -F pid,tid,ip,sym` output: each one's thread and frames, leaf first. */
export function parsePerfScript(text) {
  const samples = []
  let current
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      current = undefined
    } else if (!/^\s/.test(line)) {
      const [pidTid] = line.trim().split(/\s+/)
      const [pid, tid] = pidTid.includes('/') ? pidTid.split('/') : [pidTid, pidTid]
      current = { mainThread: pid === tid, frames: [] }
      samples.push(current)
    } else if (current) {
      current.frames.push(line.trim())
    }
  }
  return samples
}

export function bucketOf(frames) {
  for (const frame of frames) {
    for (const [name, pattern] of BUCKETS) if (pattern.test(frame)) return name
    if (JS_FRAME.test(frame)) return JAVASCRIPT
  }
  return REST
}

/**
 * CPU µs per token, by bucket and by thread (main, or any other: the signing thread and V8's
 * helpers), from a perf file recorded over `seconds` while `tokens` were answered.
 */
export function perfSplit(file, { seconds, tokens }) {
  const run = spawnSync('perf', ['script', '-i', file, '-F', 'pid,tid,ip,sym'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  })
  if (run.status !== 0) throw new Error(`perf script: ${run.stderr.trim()}`)
  const samples = parsePerfScript(run.stdout)
  const usPerSample = 1e6 / PERF_HZ / tokens
  const byBucket = Object.fromEntries(BUCKET_NAMES.map((name) => [name, 0]))
  const byThread = { main: 0, other: 0 }
  for (const s of samples) {
    byBucket[bucketOf(s.frames)] += usPerSample
    byThread[s.mainThread ? 'main' : 'other'] += usPerSample
  }
  return {
    samples: samples.length,
    seconds,
    tokens,
    total: byThread.main + byThread.other,
    byBucket,
    byThread,
  }
}
