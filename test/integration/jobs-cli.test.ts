// @vitest-environment node
import Database from 'better-sqlite3'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  cliJson,
  jsonError,
  jsonLines,
  makeTempDir,
  removeTempDirs,
  runCli,
  type CliOptions,
} from '../helpers/cli.js'

/**
 * The jobs commands through the built CLI, on a data directory whose records database holds a
 * job that a killed process left `running`: the next command finds it interrupted.
 */

const JOB = '0193a5c2-7e11-7b3c-9f1e-2b4c6d8e0f12'
let options: CliOptions

beforeAll(async () => {
  const dataDir = makeTempDir('plgd-m2m-jobs-')
  options = {
    dataDir,
    env: { PLGD_M2M_VAULT_PASSPHRASE: 'jobs integration passphrase' },
    timeoutMs: 30_000,
  }
  expect(await cliJson(['jobs', 'list', '--vault', 'passphrase'], options)).toEqual({
    items: [],
    total: 0,
  })
  const db = new Database(join(dataDir, 'records.sqlite3'))
  db.prepare(
    `INSERT INTO jobs (id, kind, hub, title, input, state, concurrency, error, rev, created_at, updated_at)
     VALUES (?, 'configs.apply', 'lab', 'apply light-42 to 3 devices', ?, 'running', 4, NULL, 6, 1, 1)`,
  ).run(JOB, JSON.stringify({ hub: 'lab', configId: 'light-42', deviceIds: ['d1', 'd2', 'd3'] }))
  const item = db.prepare(
    `INSERT INTO job_items (job_id, seq, key, state, detail, message, rev, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1)`,
  )
  item.run(JOB, 1, 'd1', 'done', '{"status":"DONE"}', null, 4)
  item.run(JOB, 2, 'd2', 'failed', '{}', 'the device refused: 403; check the owner', 5)
  item.run(JOB, 3, 'd3', 'pending', '{}', null, 6)
  db.close()
})
afterAll(() => removeTempDirs())

describe('jobs commands (built CLI)', () => {
  it('a job left running by a killed process is interrupted at the next open', async () => {
    const job = await cliJson<{ state: string; counts: Record<string, number> }>(
      ['jobs', 'show', JOB],
      options,
    )
    expect(job).toMatchObject({
      state: 'interrupted',
      counts: { done: 1, failed: 1, pending: 1, total: 3 },
    })
    const list = await runCli(['jobs', 'list'], options)
    expect(list.stdout).toMatch(new RegExp(`${JOB}\\s+configs.apply\\s+lab\\s+interrupted\\s+2/3`))
  })

  it('writes the report to a new owner-only file, never over one without --force', async () => {
    const file = join(options.dataDir, 'report.csv')
    expect(await cliJson(['jobs', 'report', JOB, '--out', file], options)).toEqual({
      file,
      rows: 3,
    })
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8')).toBe(
      'key,state,message,status\r\nd1,done,,DONE\r\nd2,failed,the device refused: 403; check the owner,\r\nd3,pending,,\r\n',
    )
    const again = await runCli(['jobs', 'report', JOB, '--out', file, '--json'], options)
    expect(again.code).toBe(1)
    expect(jsonError(again)).toMatchObject({ code: 'conflict' })
  })

  it('an unknown job is named in the error', async () => {
    const missing = await runCli(['jobs', 'show', 'nope', '--json'], options)
    expect(missing.code).toBe(1)
    expect(jsonError(missing)).toEqual({
      code: 'not_found',
      message: 'no job nope; `jobs list` shows the jobs',
    })
  })

  it('cancel turns what is not final into cancelled; resume runs it here and reports the end', async () => {
    const cancelled = await cliJson<{ state: string; counts: Record<string, number> }>(
      ['jobs', 'cancel', JOB],
      options,
    )
    expect(cancelled).toMatchObject({ state: 'cancelled', counts: { cancelled: 1, done: 1 } })
    // No serve holds the data directory: the CLI runs the job itself and follows it to the end.
    // The hub profile `lab` does not exist, so the job fails and says why.
    const resumed = await runCli(['jobs', 'resume', JOB, '--json'], options)
    expect(resumed.code).toBe(1)
    const lines = jsonLines(resumed.stdout) as Record<string, unknown>[]
    expect(lines.at(-1)).toMatchObject({
      summary: { done: 1, failed: 1 },
      jobId: JOB,
      state: 'failed',
      error: expect.stringContaining('lab'),
    })
    const after = await cliJson<{ state: string; counts: Record<string, number> }>(
      ['jobs', 'show', JOB],
      options,
    )
    // The failed job keeps what was final, and the rest for another resume.
    expect(after).toMatchObject({ state: 'failed', counts: { done: 1, failed: 1, pending: 1 } })
  })
})
