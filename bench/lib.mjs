// Shared helpers for the benchmark: TLS material, child processes, HTTPS calls, small stats.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { Agent as HttpAgent, request as httpRequest } from 'node:http'
import { request } from 'node:https'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const BENCH_DIR = join(ROOT, 'bench')
export const CLI = join(ROOT, 'bin', 'plgd-m2m-console.js')

const require = createRequire(import.meta.url)

/** Progress and warnings go to stderr so stdout carries only the table and the JSON line. */
export function note(message) {
  process.stderr.write(`[bench] ${message}\n`)
}

/**
 * A CA and a server certificate for 127.0.0.1/localhost from the project's own CA code (the
 * same kind of certificate and key the issuer serves), sealed with a pass-through sealer.
 */
export async function makeTls() {
  const { ensureTls, serverHostsFor } = require(join(ROOT, 'dist/node/electron/tls/local-ca.js'))
  const sealer = {
    seal: (plaintext) => plaintext.toString('base64'),
    open: (sealed) => Buffer.from(sealed, 'base64'),
  }
  const { material } = await ensureTls({
    stored: undefined,
    hosts: serverHostsFor('127.0.0.1', undefined),
    now: new Date(),
    sealer,
  })
  return { key: material.keyPem, cert: material.certPem, ca: material.caCertPem }
}

/** A benchmark server's first stdout line: one JSON object; the process ends with its stdin. */
export function announceReady(info) {
  process.stdout.write(`${JSON.stringify({ event: 'ready', ...info })}\n`)
  process.stdin.on('end', () => process.exit(0))
  process.stdin.on('error', () => process.exit(0))
  process.stdin.resume()
  for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => process.exit(0))
}

const children = new Set()

/** Spawns a child that is killed when the benchmark exits, however it exits. */
export function spawnTracked(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options })
  children.add(child)
  child.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child)
      resolve({ code, signal })
    })
    child.once('error', (err) => {
      children.delete(child)
      resolve({ code: null, signal: null, error: err })
    })
  })
  child.stderrText = ''
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk) => {
    // Keep the tail only: enough to explain a crash.
    child.stderrText = (child.stderrText + chunk).slice(-8000)
  })
  return child
}

/** Synchronous last resort (process 'exit'): SIGKILL every child still running. */
function killAllChildren() {
  for (const child of children) {
    try {
      child.kill('SIGKILL')
    } catch {
      // already gone
    }
  }
  children.clear()
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
export async function stopChild(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return child.exited
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  try {
    return await child.exited
  } finally {
    clearTimeout(timer)
  }
}

/** Resolves with the first stdout line that parses as JSON with event "ready". */
export function waitForReady(child, timeoutMs = 20_000) {
  return new Promise((resolve, reject) => {
    let buffered = ''
    const done = (fn, value) => {
      clearTimeout(timer)
      child.stdout.off('data', onData)
      child.off('exit', onExit)
      fn(value)
    }
    const onData = (chunk) => {
      buffered += chunk
      let newline
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline)
        buffered = buffered.slice(newline + 1)
        try {
          const parsed = JSON.parse(line)
          if (parsed && parsed.event === 'ready') return done(resolve, parsed)
        } catch {
          // not a JSON line
        }
      }
    }
    const onExit = (code, signal) =>
      done(
        reject,
        new Error(
          `${child.spawnargs.join(' ')} exited (${signal ?? code}) before it was ready:\n${child.stderrText}`,
        ),
      )
    const timer = setTimeout(
      () =>
        done(
          reject,
          new Error(
            `${child.spawnargs.join(' ')} not ready in ${timeoutMs} ms:\n${child.stderrText}`,
          ),
        ),
      timeoutMs,
    )
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', onData)
    child.once('exit', onExit)
  })
}

/** Runs a command to completion (bounded) and returns its stdout. */
export async function runCommand(command, args, { timeoutMs = 30_000, env } = {}) {
  const child = spawnTracked(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk) => (stdout += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const { code, signal, error } = await child.exited
  clearTimeout(timer)
  if (error || code !== 0) {
    throw new Error(
      `${[command, ...args].join(' ')} failed (${error?.message ?? signal ?? code}):\n${child.stderrText}`,
    )
  }
  return stdout
}

/** One HTTPS request with the CA pinned (certificate verified), bounded in time. */
export function httpsCall(url, { method = 'GET', headers = {}, body, ca, timeoutMs = 10_000 }) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, headers, ca, servername: 'localhost', agent: false, timeout: timeoutMs },
      (res) => {
        const chunks = []
        res.on('data', (chunk) => chunks.push(chunk))
        res.on('end', () =>
          resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }),
        )
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)))
    req.on('error', reject)
    req.end(body)
  })
}

export const TOKEN_FORM = 'grant_type=client_credentials'

export function tokenRequestHeaders(clientId, secret) {
  const basic = Buffer.from(
    `${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`,
  ).toString('base64')
  return {
    'content-type': 'application/x-www-form-urlencoded',
    authorization: `Basic ${basic}`,
  }
}

/** VmRSS and VmHWM of a live process, in MiB. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1])
  return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 }
}

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Median and range of the finite values (NaN when there are none): figures over rounds. */
export function spreadOf(values) {
  const finite = values.filter((v) => Number.isFinite(v))
  return {
    median: median(finite),
    min: finite.length ? Math.min(...finite) : NaN,
    max: finite.length ? Math.max(...finite) : NaN,
  }
}

export function fmt(value, digits = 1) {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a'
}

/** "median (min–max)" of a spreadOf(), e.g. "1.32× (1.20–1.45)" with the unit "×". */
export function fmtSpread({ median: mid, min, max }, digits = 1, unit = '') {
  return `${fmt(mid, digits)}${unit} (${fmt(min, digits)}–${fmt(max, digits)})`
}

/** A number from the environment, or `fallback` when unset; anything below `min` is refused. */
export function envNumber(name, fallback, min) {
  const raw = process.env[name]
  const value = raw === undefined || raw === '' ? fallback : Number(raw)
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number ≥ ${min}`)
  return value
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The CLI needs a Secret Service: run the calling benchmark script inside
 * test/with-keychain.sh. The wrapper gets its own process group, so a signal here reaches every
 * process under it (the D-Bus session does not pass signals on to its child).
 */
function reexecUnderKeychain(scriptUrl) {
  const child = spawn(
    'bash',
    [
      join(ROOT, 'test/with-keychain.sh'),
      process.execPath,
      fileURLToPath(scriptUrl),
      ...process.argv.slice(2),
    ],
    {
      stdio: 'inherit',
      detached: true,
      env: { ...process.env, BENCH_PARENT_PID: String(process.pid) },
    },
  )
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal)
    } catch {
      // the group is gone already
    }
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => signalGroup(signal))
  }
  process.on('exit', () => {
    if (child.exitCode === null && child.signalCode === null) signalGroup('SIGTERM')
  })
  child.on('error', (err) => {
    note(`cannot start test/with-keychain.sh: ${err.message}`)
    process.exit(1)
  })
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

/**
 * The one way a benchmark script runs: re-executed under the keychain wrapper, then
 * `main(tmpRoot)` with a fresh temporary directory. However it ends (crash, signal, time limit,
 * the re-executing parent killed), every child is killed and the directory removed. Exit code 0
 * whatever the targets say, 1 on a crash or the time limit, 130 on a signal.
 */
export async function runBench(scriptUrl, { name, timeLimitS }, main) {
  if (process.env.KEYCHAIN_TEST_HOME === undefined) return reexecUnderKeychain(scriptUrl)
  const tmpRoot = mkdtempSync(join(tmpdir(), `plgd-m2m-${name}-`))
  const cleanup = () => {
    killAllChildren()
    rmSync(tmpRoot, { recursive: true, force: true })
  }
  process.on('exit', cleanup)
  const stop = (why, code) => {
    note(`${why}: stopping`)
    cleanup()
    process.exit(code)
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    process.once(signal, () => stop(signal, 130))
  // Stop if the re-executing parent disappears (even by SIGKILL).
  const parentPid = Number(process.env.BENCH_PARENT_PID)
  if (parentPid > 0) {
    setInterval(() => {
      try {
        process.kill(parentPid, 0)
      } catch {
        stop('the parent process is gone', 130)
      }
    }, 1000).unref()
  }
  const deadline =
    timeLimitS === undefined
      ? undefined
      : setTimeout(() => stop(`time limit of ${timeLimitS} s reached`, 1), timeLimitS * 1000)
  try {
    await main(tmpRoot)
    process.exitCode = 0
  } catch (err) {
    note(`crashed: ${err?.stack ?? err}`)
    process.exitCode = 1
  } finally {
    clearTimeout(deadline)
    cleanup()
  }
}

/** The nearest-rank percentile of the finite values; NaN when there are none. */
export function percentile(values, p) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

/**
 * The console bridge as the renderer calls it, from Node: `POST /api/rpc/<method>` on the
 * console URL's origin with the session token of its `#session=` fragment, over keep-alive
 * connections (as a browser tab keeps them). Resolves with the method's value; rejects with its
 * error code and message.
 */
export function bridgeClient(consoleUrl) {
  const url = new URL(consoleUrl)
  const token = new URLSearchParams(url.hash.slice(1)).get('session')
  if (!token) throw new Error(`no #session= in ${consoleUrl}`)
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 8 })
  const call = (method, input = {}, timeoutMs = 30_000) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify(input)
      const req = httpRequest(
        `${url.origin}/api/rpc/${method}`,
        {
          method: 'POST',
          agent,
          timeout: timeoutMs,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${token}`,
          },
        },
        (res) => {
          const chunks = []
          res.on('data', (chunk) => chunks.push(chunk))
          res.on('error', reject)
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            let envelope
            try {
              envelope = JSON.parse(text)
            } catch {
              return reject(new Error(`${method}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`))
            }
            if (envelope.ok) return resolve(envelope.value)
            reject(new Error(`${method}: ${envelope.error?.code}: ${envelope.error?.message}`))
          })
        },
      )
      req.on('timeout', () => req.destroy(new Error(`${method} timed out after ${timeoutMs} ms`)))
      req.on('error', reject)
      req.end(body)
    })
  return { call, close: () => agent.destroy() }
}
