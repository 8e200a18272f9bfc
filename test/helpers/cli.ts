import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request as httpRequestRaw, type IncomingHttpHeaders } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequestRaw } from 'node:https'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

/**
 * Black-box helpers for the integration tests: the compiled CLI as a child process, the issuer
 * it serves, temporary data directories and plain HTTP(S) requests. Nothing here imports the
 * product's code: the tests see what a hub, DPS or an operator sees.
 */

export const REPO_ROOT = resolve(__dirname, '../..')
export const CLI_BIN = join(REPO_ROOT, 'bin', 'plgd-m2m-console.js')

const DEFAULT_CLI_TIMEOUT_MS = 20_000
const DEFAULT_READY_TIMEOUT_MS = 20_000
const STOP_TIMEOUT_MS = 10_000

// ---------------------------------------------------------------------------------------------
// Temporary data directories

const tempDirs = new Set<string>()

/** A fresh, user-only directory (mkdtemp) that removeTempDirs() deletes. */
export function makeTempDir(prefix = 'plgd-m2m-it-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  tempDirs.add(dir)
  return dir
}

export function removeTempDirs(): void {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
  tempDirs.clear()
}

// ---------------------------------------------------------------------------------------------
// Child processes

/** Every serve started here; killed when the test worker exits, whatever happened. */
const liveChildren = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL')
})

export type EnvOverrides = Record<string, string | undefined>

/**
 * The child's environment: the test process's (which holds the private D-Bus session of
 * test/with-keychain.sh), minus anything that would silently change the product's behaviour,
 * plus the overrides (undefined removes a variable).
 */
function childEnv(overrides: EnvOverrides = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.PLGD_M2M_VAULT_PASSPHRASE
  delete env.PLGD_M2M_DATA_DIR
  delete env.NODE_OPTIONS
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key]
    else env[key] = value
  }
  return env
}

export interface CliResult {
  /** Exit code; null when the process was killed (signal or timeout). */
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  timedOut: boolean
}

export interface CliOptions {
  dataDir: string
  env?: EnvOverrides
  timeoutMs?: number
  /** Written to the child's stdin (which is otherwise closed at once). */
  input?: string
}

/** Runs `node bin/plgd-m2m-console.js <args> --data-dir <dataDir>` to completion (bounded). */
export function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CLI_TIMEOUT_MS
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args, '--data-dir', options.dataDir], {
      cwd: REPO_ROOT,
      env: childEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.stdin.on('error', () => undefined)
    child.stdin.end(options.input ?? '')
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      resolvePromise({ code, signal, stdout, stderr, timedOut })
    })
  })
}

/** Parses every non-empty line as JSON; throws (with the text) if any line is not JSON. */
export function jsonLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as unknown
      } catch {
        throw new Error(`not a JSON line: ${JSON.stringify(line)}\nin:\n${text}`)
      }
    })
}

/**
 * Runs a `--json` command that must succeed with exactly one JSON line on stdout (and only JSON
 * lines on stderr); returns that value.
 */
export async function cliJson<T = unknown>(
  args: readonly string[],
  options: CliOptions,
): Promise<T> {
  const result = await runCli([...args, '--json'], options)
  if (result.code !== 0) {
    throw new Error(
      `${args.join(' ')} exited ${result.code ?? result.signal}${result.timedOut ? ' (timed out)' : ''}\n` +
        `stdout: ${result.stdout}\nstderr: ${result.stderr}`,
    )
  }
  const lines = jsonLines(result.stdout)
  // With --json, logs on stderr are JSON lines too.
  jsonLines(result.stderr)
  if (lines.length !== 1) {
    throw new Error(`${args.join(' ')} printed ${lines.length} JSON lines:\n${result.stdout}`)
  }
  return lines[0] as T
}

export interface CliErrorShape {
  code: string
  message: string
}

/**
 * The `{"error":{code,message}}` line a failed `--json` command writes to stderr. Other stderr
 * lines (logs) must be JSON too; stdout must be empty.
 */
export function jsonError(result: CliResult): CliErrorShape {
  if (result.stdout.trim() !== '') throw new Error(`stdout is not empty: ${result.stdout}`)
  const errors = jsonLines(result.stderr).filter(
    (line): line is { error: CliErrorShape } =>
      typeof line === 'object' &&
      line !== null &&
      typeof (line as { error?: unknown }).error === 'object' &&
      (line as { error?: unknown }).error !== null,
  )
  if (errors.length !== 1) {
    throw new Error(
      `expected one {"error":…} line on stderr, got ${errors.length}:\n${result.stderr}`,
    )
  }
  const shape = errors[0]!.error
  if (typeof shape.code !== 'string' || typeof shape.message !== 'string') {
    throw new Error(`malformed error line: ${JSON.stringify(shape)}`)
  }
  return shape
}

// ---------------------------------------------------------------------------------------------
// serve

export interface ReadyLine {
  event: 'ready'
  issuer: string
  tokenEndpoint: string
  jwksUri: string
  caCertFile: string | null
  listen: string
}

export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface ServeHandle {
  ready: ReadyLine
  proc: ChildProcess
  /** The issuer's CA certificate (PEM), the way a hub's caPool holds it; undefined over HTTP. */
  ca: string | undefined
  /** A keep-alive agent that trusts `ca` (and nothing else). */
  agent: HttpsAgent | undefined
  stdout(): string
  stderr(): string
  exited: Promise<ExitInfo>
  /** Sends the signal, waits for the exit and throws unless the exit code is 0. */
  stop(signal?: 'SIGTERM' | 'SIGINT'): Promise<ExitInfo>
  /** SIGKILL: no shutdown code runs. */
  kill9(): Promise<ExitInfo>
}

export interface ServeOptions {
  env?: EnvOverrides
  timeoutMs?: number
}

/**
 * Spawns `serve --listen 127.0.0.1:0 --json --data-dir D [...extraArgs]` and resolves with the
 * ready line once it is printed; rejects (with stderr) if the process exits or times out first.
 */
export async function startServe(
  dataDir: string,
  extraArgs: readonly string[] = [],
  options: ServeOptions = {},
): Promise<ServeHandle> {
  const proc = spawn(
    process.execPath,
    [CLI_BIN, 'serve', '--listen', '127.0.0.1:0', '--json', '--data-dir', dataDir, ...extraArgs],
    { cwd: REPO_ROOT, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] },
  )
  liveChildren.add(proc)
  let stdout = ''
  let stderr = ''
  proc.stdout!.setEncoding('utf8')
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<ExitInfo>((resolveExit) => {
    proc.once('exit', (code, signal) => {
      liveChildren.delete(proc)
      resolveExit({ code, signal })
    })
  })
  const ready = await new Promise<ReadyLine>((resolveReady, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error(`serve printed no ready line in time\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, options.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS)
    let settled = false
    proc.stdout!.on('data', (chunk: string) => {
      stdout += chunk
      const newline = stdout.indexOf('\n')
      if (settled || newline < 0) return
      settled = true
      clearTimeout(timer)
      try {
        const line = JSON.parse(stdout.slice(0, newline)) as ReadyLine
        if (line.event !== 'ready') throw new Error(`first line is not a ready event: ${stdout}`)
        resolveReady(line)
      } catch (err) {
        proc.kill('SIGKILL')
        reject(err instanceof Error ? err : new Error(String(err)))
      }
    })
    void exited.then(({ code, signal }) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      reject(new Error(`serve exited (${code ?? signal}) before it was ready\nstderr: ${stderr}`))
    })
  })
  const ca = ready.caCertFile ? readFileSync(ready.caCertFile, 'utf8') : undefined
  const agent = ca ? new HttpsAgent({ ca, keepAlive: true, maxSockets: 32 }) : undefined

  const waitExit = async (): Promise<ExitInfo> => {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        proc.kill('SIGKILL')
        reject(new Error(`serve did not exit within ${STOP_TIMEOUT_MS} ms\nstderr: ${stderr}`))
      }, STOP_TIMEOUT_MS)
    })
    try {
      return await Promise.race([exited, timeout])
    } finally {
      clearTimeout(timer)
      agent?.destroy()
    }
  }

  return {
    ready,
    proc,
    ca,
    agent,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
      const info = await waitExit()
      if (info.code !== 0) {
        throw new Error(
          `serve exited with ${info.code ?? info.signal} after ${signal}, not 0\nstderr: ${stderr}`,
        )
      }
      return info
    },
    async kill9() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
      return waitExit()
    },
  }
}

/** Kills every serve still running (afterAll safety net; a passing test stops its own). */
export async function killAllServes(): Promise<void> {
  const waits = [...liveChildren].map(
    (child) =>
      new Promise<void>((resolveExit) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolveExit()
        child.once('exit', () => resolveExit())
        child.kill('SIGKILL')
      }),
  )
  await Promise.all(waits)
}

// ---------------------------------------------------------------------------------------------
// HTTP(S)

export interface HttpResponse {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  text: string
  /** The body parsed as JSON (throws when it is not). */
  json<T = Record<string, unknown>>(): T
}

export interface HttpRequestOptions {
  method?: string
  headers?: Record<string, string | number>
  body?: string | Buffer
  /** Body sent in these pieces with chunked transfer encoding (no Content-Length). */
  chunks?: Buffer[]
  /** The issuer's CA; ignored when `agent` is given. */
  ca?: string
  agent?: HttpsAgent
  timeoutMs?: number
}

/** One HTTP(S) request with node:http(s) (plgd services trust a CA pool, not the system). */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const target = new URL(url)
  const secure = target.protocol === 'https:'
  const send = secure ? httpsRequestRaw : httpRequestRaw
  const headers: Record<string, string | number> = { ...options.headers }
  if (options.body !== undefined && !Object.keys(headers).some((h) => /^content-length$/i.test(h)))
    headers['content-length'] = Buffer.byteLength(options.body)
  return new Promise((resolveResponse, reject) => {
    const req = send(
      target,
      {
        method: options.method ?? 'GET',
        headers,
        ...(secure
          ? options.agent
            ? { agent: options.agent }
            : { ca: options.ca, agent: false as const }
          : { agent: false as const }),
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          const body = Buffer.concat(chunks)
          const text = body.toString('utf8')
          resolveResponse({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text,
            json<T>() {
              try {
                return JSON.parse(text) as T
              } catch {
                throw new Error(`response ${res.statusCode} is not JSON: ${text}`)
              }
            },
          })
        })
      },
    )
    req.on('timeout', () => req.destroy(new Error(`request to ${url} timed out`)))
    req.on('error', reject)
    if (options.chunks) {
      for (const chunk of options.chunks) req.write(chunk)
      req.end()
    } else {
      req.end(options.body)
    }
  })
}

/** RFC 6749 §2.3.1 as Go's x/oauth2 sends it: each part form-urlencoded, then Basic. */
export function basicAuth(clientId: string, clientSecret: string): string {
  const enc = (v: string): string => new URLSearchParams({ v }).toString().slice(2)
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`
}

export const FORM = 'application/x-www-form-urlencoded'

/** The claims of a compact JWS, decoded without verification (as DPS reads them). */
export function decodeJwt(token: string): {
  header: Record<string, unknown>
  payload: Record<string, unknown>
} {
  const [header, payload] = token.split('.')
  const decode = (part: string | undefined): Record<string, unknown> =>
    JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
  return { header: decode(header), payload: decode(payload) }
}
