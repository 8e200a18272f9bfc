import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { REPO_ROOT, httpRequest } from '../helpers/cli.js'

/**
 * plgd's client-application as the Bench e2e meets it: the simulator's process (its main.mjs),
 * plain HTTP on 127.0.0.1, whose devices reach the hub simulator given by URL and CA file.
 */

const APP_MAIN = join(REPO_ROOT, 'test', 'fixtures', 'client-app-simulator', 'main.mjs')

export interface ClientAppProcess {
  url: string
  deviceIds: string[]
  /** GETs a test hook, e.g. `/_sim/devices/{id}` → the device as the simulator sees it. */
  read<T = unknown>(path: string): Promise<T>
  stop(): Promise<void>
}

export async function startClientAppProcess(options: {
  hubUrl: string
  hubCaFile: string
  /** A JSON array of device specs (the README's), written by the caller. */
  devicesFile: string
  tickMs?: number
}): Promise<ClientAppProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      APP_MAIN,
      ...['--hub-url', options.hubUrl, '--hub-ca', options.hubCaFile],
      ...['--devices-file', options.devicesFile],
      ...['--tick-ms', String(options.tickMs ?? 50)],
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const first = await new Promise<{ url: string; deviceIds: string[] }>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(
      () => reject(new Error(`client-application simulator not ready:\n${stderr}`)),
      15_000,
    )
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      const newline = out.indexOf('\n')
      if (newline < 0) return
      clearTimeout(timer)
      resolve(JSON.parse(out.slice(0, newline)) as { url: string; deviceIds: string[] })
    })
    child.once('exit', (code) =>
      reject(new Error(`client-application simulator exited (${code}):\n${stderr}`)),
    )
  })
  return {
    ...first,
    async read<T>(path: string): Promise<T> {
      const res = await httpRequest(`${first.url}${path}`)
      if (res.status !== 200) throw new Error(`${path} → ${res.status}: ${res.text}`)
      return res.json<T>()
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}
