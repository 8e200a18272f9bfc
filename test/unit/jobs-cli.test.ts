// @vitest-environment node
import type Database from 'better-sqlite3'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { contract, type MethodName } from '../../shared/contract/index.js'
import { implementJobs } from '../../electron/api/methods/jobs.js'
import { methodContext } from '../../electron/api/methods/method-table.js'
import type { App } from '../../electron/app.js'
import { runCommandLine } from '../../electron/headless/cli.js'
import { followJob } from '../../electron/headless/follow-job.js'
import type { JobRunner } from '../../electron/jobs/job-runner.js'
import { abortable, devices, fakeHandler, recordsDb, runnerOn, until } from './jobs-helpers.js'

/** The jobs commands in-process, over a real runner and the real jobs methods. */

const scratch = mkdtempSync(join(tmpdir(), 'plgd-jobs-cli-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

let db: Database.Database
let runner: JobRunner
let audited: string[]
let methods: ReturnType<typeof implementJobs>
beforeEach(() => {
  db = recordsDb()
  runner = runnerOn(db).runner
  audited = []
  const app = { jobs: runner, audit: { append: (e: { action: string }) => audited.push(e.action) } }
  methods = implementJobs(methodContext(app as unknown as App, 'cli'))
})
afterEach(async () => {
  await runner.stop()
  db.close()
})

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCommandLine([...argv, '--data-dir', scratch], {
    io: { out: (t) => void (out += t), err: (t) => void (err += t) },
    operation: async (_globals, method, input) => {
      const m = method as MethodName & keyof typeof methods
      const parsed: unknown = contract[m].input.parse(input)
      return (methods[m] as (i: unknown) => unknown)(parsed)
    },
  })
  return { code, out, err }
}

const jsonLines = (text: string): Record<string, unknown>[] =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)

function startJob(n: number, fail: string[] = []): string {
  runner.register(
    fakeHandler((key) =>
      Promise.resolve(
        fail.includes(key)
          ? { state: 'failed', message: `${key}: the hub refused (403): owner differs` }
          : { state: 'done', detail: { status: 'DONE' } },
      ),
    ),
  )
  return runner.start('configs.apply', 'lab', { devices: devices(n) }, 2).jobId
}

describe('jobs commands', () => {
  it('jobs list and jobs show', async () => {
    const id = startJob(3)
    await until(runner, id, (v) => v.state === 'done')
    const list = await run(['jobs', 'list', '--json'])
    expect(list.code).toBe(0)
    expect(JSON.parse(list.out)).toMatchObject({ total: 1, items: [{ id, state: 'done' }] })
    expect((await run(['jobs', 'list'])).out).toMatch(
      new RegExp(`${id}\\s+configs.apply\\s+lab\\s+done\\s+3/3`),
    )
    const show = await run(['jobs', 'show', id, '--json'])
    expect(JSON.parse(show.out)).toMatchObject({ id, counts: { done: 3, total: 3 } })
    const missing = await run(['jobs', 'show', 'nope', '--json'])
    expect(missing.code).toBe(1)
    expect(JSON.parse(missing.err)).toMatchObject({ error: { code: 'not_found' } })
  })

  it('jobs cancel stops a running job, and jobs resume follows it to the end', async () => {
    runner.register(
      fakeHandler(async (_k, signal) => {
        await abortable(10, signal)
        return { state: 'done' }
      }),
    )
    const { jobId } = runner.start('configs.apply', 'lab', { devices: devices(20) }, 2)
    await until(runner, jobId, (v) => v.counts.done >= 2)
    const cancel = await run(['jobs', 'cancel', jobId, '--json'])
    expect(JSON.parse(cancel.out)).toMatchObject({ state: 'cancelled' })
    const resumed = await run(['jobs', 'resume', jobId, '--json'])
    expect(resumed.code).toBe(0)
    const lines = jsonLines(resumed.out)
    expect(lines.at(-1)).toMatchObject({
      summary: { done: 20, failed: 0, timeout: 0 },
      jobId,
      state: 'done',
    })
    expect(audited).toEqual(['job.cancelled', 'job.resumed'])
  })

  it('jobs report writes an owner-only file and refuses to overwrite without --force', async () => {
    const id = startJob(2, ['d0002'])
    await until(runner, id, (v) => v.state === 'done')
    const file = join(scratch, 'report.csv')
    const first = await run(['jobs', 'report', id, '--out', file, '--json'])
    expect(JSON.parse(first.out)).toEqual({ file, rows: 2 })
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8')).toContain(
      'd0002,failed,d0002: the hub refused (403): owner differs',
    )
    const again = await run(['jobs', 'report', id, '--out', file])
    expect(again.code).toBe(1)
    expect(again.err).toContain('exists: choose another file, or add --force')
    expect((await run(['jobs', 'report', id, '--out', file, '--force'])).code).toBe(0)
    expect((await run(['jobs', 'report', id])).out).toMatch(/^key,state,message,status\r\n/)
  })
})

describe('followJob', () => {
  const ctxFor = (json: boolean, out: string[]) => ({
    globals: { json } as never,
    io: { out: (t: string) => void out.push(t), err: () => undefined },
    call: (method: string, input: unknown) =>
      Promise.resolve(
        (methods[method as keyof typeof methods] as (i: unknown) => unknown)(
          contract[method as MethodName].input.parse(input),
        ),
      ) as never,
  })

  it('prints a JSON line per item change, then the summary the command names; exit 1 unless all done', async () => {
    const id = startJob(4, ['d0003'])
    const out: string[] = []
    const code = await followJob(ctxFor(true, out), id, {
      pollMs: 5,
      summary: (c) => ({ done: c.done, failed: c.failed, timeout: c.timeout }),
    })
    expect(code).toBe(1)
    const lines = jsonLines(out.join(''))
    const final = lines.filter((l) => 'key' in l && (l.state === 'done' || l.state === 'failed'))
    expect(final).toHaveLength(4)
    expect(final.find((l) => l.key === 'd0001')).toEqual({
      key: 'd0001',
      state: 'done',
      message: null,
      status: 'DONE',
    })
    expect(lines.at(-1)).toEqual({
      summary: { done: 3, failed: 1, timeout: 0 },
      jobId: id,
      state: 'done',
    })
  })

  it('prints human lines and exits 0 when every item is done', async () => {
    const id = startJob(2)
    const out: string[] = []
    expect(await followJob(ctxFor(false, out), id, { pollMs: 5 })).toBe(0)
    expect(out.join('')).toMatch(/d0001 {2}done\n/)
    expect(out.at(-1)).toMatch(new RegExp(`^job ${id} done: done 2, failed 0, timeout 0\\n$`))
  })
})
