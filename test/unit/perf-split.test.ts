// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { bucketOf, parsePerfScript } from '../../bench/perf-split.mjs'

/** `perf script -F pid,tid,ip,sym` output: a header line per sample, then its frames. */
const SCRIPT = [
  '100/100 ',
  '\t    7fe5844124c4 JS:*parseForm /x/dist/cli/cli.js:20179:19',
  '\t         1508083 node::worker::MessagePort::OnMessage',
  '',
  '100/117 ',
  '\t         2a0c1f0 aesni_gcm_encrypt',
  '\t         2a0c000 ssl3_write_bytes',
  '\t    7fe5844124c4 JS:*end node:_http_outgoing:1034',
  '',
  '100/117 ',
  '\t         3b00000 sqlite3VdbeExec',
  '\t         3b00100 node::worker::MessagePort::OnMessage',
  '',
  '100/100 ',
  '\t    7fe584410000 [unknown]',
  '\t          c4993d uv__io_poll',
  '',
  '100/121 ',
  '\t          e0f0a0 v8::internal::Scavenger::ScavengeObject',
  '\t          e0f000 start_thread',
  '',
  '100/100 ',
  '\t          ffff01 memcpy',
  '',
].join('\n')

describe('perf split (BENCH_PERF)', () => {
  const samples = parsePerfScript(SCRIPT)

  it('reads one sample per header line, with its thread and its frames leaf first', () => {
    expect(samples.map((s) => s.mainThread)).toEqual([true, false, false, true, false, true])
    expect(samples[1]!.frames[0]).toMatch(/aesni_gcm_encrypt/)
    expect(samples.map((s) => s.frames.length)).toEqual([2, 3, 2, 2, 2, 1])
  })

  it('counts a sample where its leaf-most recognised frame says, JavaScript stopping the walk', () => {
    expect(samples.map((s) => bucketOf(s.frames))).toEqual([
      // JavaScript run from a reply of the signing thread is JavaScript, not the hand-off.
      'JavaScript (ours and Node’s)',
      // A TLS write called from JavaScript is the write.
      'TLS write',
      'ledger (SQLite)',
      // JIT code without a perf map is [unknown]: still JavaScript.
      'JavaScript (ours and Node’s)',
      'garbage collection',
      'the rest (kernel, libc, V8 runtime)',
    ])
  })
})
