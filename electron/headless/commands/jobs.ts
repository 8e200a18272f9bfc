import { writeFileSync } from 'node:fs'
import type { JobCounts, JobView } from '../../../shared/contract/index.js'
import { AppError } from '../../../shared/errors.js'
import { followJob } from '../follow-job.js'
import { isoTime, table } from '../output.js'
import { limitOption, offsetOption } from './options.js'
import { customCommand, methodCommand, option } from './spec.js'

const idArg = { name: 'ID' } as const

function progress(c: JobCounts): string {
  const final = c.done + c.failed + c.timeout + c.cancelled
  return `${final}/${c.total}`
}

function describeJob(j: JobView): string {
  const c = j.counts
  const lines = [
    ['job', j.id],
    ['kind', j.kind],
    ['hub', j.hub],
    ['title', j.title],
    ['state', j.error ? `${j.state}: ${j.error}` : j.state],
    [
      'items',
      `${c.total} (done ${c.done}, failed ${c.failed}, timeout ${c.timeout}, cancelled ${c.cancelled}, pending ${c.pending}, running ${c.running})`,
    ],
    ['in flight', `at most ${j.concurrency}`],
    ['created', isoTime(j.createdAt)],
    ['updated', isoTime(j.updatedAt)],
  ]
  return `${lines.map(([k, v]) => `${k!.padEnd(10)} ${v}`).join('\n')}\n`
}

export const jobsCommands = [
  methodCommand({
    words: 'jobs list',
    summary: 'bulk jobs (DPS watch, configuration apply, device listing), newest first',
    options: { limit: limitOption, offset: offsetOption },
    examples: ['jobs list --json'],
    method: 'jobs.list',
    input: (v) => ({ limit: v.limit, offset: v.offset }),
    human: (page) =>
      table(
        ['ID', 'KIND', 'HUB', 'STATE', 'DONE', 'TITLE'],
        page.items.map((j) => [j.id, j.kind, j.hub, j.state, progress(j.counts), j.title]),
        'no jobs',
      ),
  }),
  methodCommand({
    words: 'jobs show',
    summary: "a job's state and its counts by item state",
    args: idArg,
    options: {},
    examples: ['jobs show 0193a5c2-7e11-7b3c-9f1e-2b4c6d8e0f12 --json'],
    method: 'jobs.get',
    input: (_v, [id]) => ({ id }),
    human: describeJob,
  }),
  methodCommand({
    words: 'jobs cancel',
    summary: 'stop a job: requests in flight are aborted, items not final become cancelled',
    details: '`jobs resume` takes the cancelled items up again.',
    args: idArg,
    options: {},
    examples: ['jobs cancel 0193a5c2-7e11-7b3c-9f1e-2b4c6d8e0f12'],
    method: 'jobs.cancel',
    input: (_v, [id]) => ({ id }),
    human: describeJob,
  }),
  customCommand({
    words: 'jobs resume',
    summary: 'run an interrupted, failed or cancelled job again, only its items not final',
    details:
      'It follows the job like the command that started it: a line per item change (JSON lines with `--json`), then `{"summary":{…},"jobId","state"}`; exit 0 only when every item is done. Without a running `serve`, the job runs in this process until it ends.',
    args: idArg,
    options: {},
    examples: ['jobs resume 0193a5c2-7e11-7b3c-9f1e-2b4c6d8e0f12 --json'],
    run: async (ctx, _v, [id]) => {
      await ctx.call('jobs.resume', { id })
      return followJob(ctx, id)
    },
  }),
  customCommand({
    words: 'jobs report',
    summary: "a job's per-row report as CSV: key, state, message, then the detail columns",
    details:
      'To stdout, or with `--out FILE` to a new file readable only by you (`--force` replaces one); with `--json` and `--out`, prints `{"file","rows"}`.',
    args: idArg,
    options: {
      out: option.text('FILE', 'write the CSV to this file instead of stdout'),
      force: option.flag('replace FILE if it exists'),
    },
    examples: ['jobs report 0193a5c2-7e11-7b3c-9f1e-2b4c6d8e0f12 --out apply-report.csv'],
    run: async (ctx, v, [id]) => {
      const { csv, rows } = await ctx.call('jobs.report', { id })
      if (v.out === undefined) {
        ctx.io.out(csv)
        return 0
      }
      try {
        writeFileSync(v.out, csv, { mode: 0o600, flag: v.force ? 'w' : 'wx' })
      } catch (cause) {
        const exists = (cause as NodeJS.ErrnoException).code === 'EEXIST'
        throw new AppError(
          exists ? 'conflict' : 'invalid_input',
          exists
            ? `${v.out} exists: choose another file, or add --force to replace it`
            : `cannot write ${v.out}: ${(cause as Error).message}`,
          { cause },
        )
      }
      ctx.io.out(
        ctx.globals.json
          ? `${JSON.stringify({ file: v.out, rows })}\n`
          : `wrote ${rows} rows to ${v.out}\n`,
      )
      return 0
    },
  }),
]
