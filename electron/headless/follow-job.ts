import type {
  JobCounts,
  JobItemView,
  JobItemsPage,
  JobKind,
  JobState,
} from '../../shared/contract/index.js'
import type { CommandContext } from './commands/spec.js'

const PAGE = 500
const RUNNING: readonly JobState[] = ['queued', 'running']

/** Local device work: a device is done, or it is not (failed, timed out, cancelled, left). */
function doneOrNot(c: JobCounts): Record<string, number> {
  return { done: c.done, failed: c.total - c.done }
}

/**
 * The summary each kind of job reports, as the commands that start them document it (`dps
 * watch`: done, failed, pending; `configs apply`: done, failed, timeout). `jobs resume` uses it.
 */
export const SUMMARY_BY_KIND: Record<JobKind, (c: JobCounts) => Record<string, number>> = {
  'dps.watch': (c) => ({
    done: c.done,
    failed: c.failed,
    pending: c.pending + c.running + c.timeout + c.cancelled,
  }),
  'configs.apply': (c) => ({ done: c.done, failed: c.failed + c.cancelled, timeout: c.timeout }),
  'devices.list': (c) => ({ devices: c.done }),
  'local.discover': (c) => ({ devices: c.done }),
  'local.own': doneOrNot,
  'local.disown': doneOrNot,
  'local.pointAtDps': doneOrNot,
  'local.onboard': doneOrNot,
  'local.offboard': doneOrNot,
}

export interface FollowOptions {
  /** The summary object's counts; default the kind's (SUMMARY_BY_KIND). */
  summary?: (counts: JobCounts) => Record<string, number>
  /** The JSON line for an item; default `{"key","state","message",...detail}`. */
  line?: (item: JobItemView) => unknown
  /** The human line for an item (without --json); default `KEY  STATE  MESSAGE`. */
  human?: (item: JobItemView) => string
  /** Between two polls while nothing changes. */
  pollMs?: number
}

/**
 * Follows a job a command just started (or resumed) until it stops: one line per item change
 * (JSON lines with --json), then `{"summary":{…},"jobId","state"}` (plus `"error"`: why the job as a whole failed). Exit 0 only when the job
 * finished with every item done. When no serve holds the data directory, the job runs in this
 * very process (OperationSession keeps the app open), so this loop must keep polling until the
 * job is final: Ctrl-C leaves it interrupted, and `jobs resume ID` goes on.
 */
export async function followJob(
  ctx: CommandContext,
  jobId: string,
  options: FollowOptions = {},
): Promise<number> {
  const { io, globals } = ctx
  const line = options.line ?? defaultLine
  const human = options.human ?? humanLine
  const pollMs = options.pollMs ?? 250
  let since = 0
  let page: JobItemsPage
  for (;;) {
    page = await ctx.call('jobs.items', { id: jobId, since, limit: PAGE })
    for (const item of page.items) {
      io.out(globals.json ? `${JSON.stringify(line(item))}\n` : human(item))
    }
    since = page.rev
    // The job is read before its items: final and a short page means nothing is left unseen.
    if (!RUNNING.includes(page.job.state) && page.items.length < PAGE) break
    if (page.items.length < PAGE) await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
  const { job } = page
  const summary = (options.summary ?? SUMMARY_BY_KIND[job.kind])(job.counts)
  if (globals.json) {
    const error = job.error ? { error: job.error } : {}
    io.out(`${JSON.stringify({ summary, jobId: job.id, state: job.state, ...error })}\n`)
  } else {
    const counts = Object.entries(summary)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')
    const why = job.error ? `: ${job.error}` : ''
    const next =
      job.state === 'interrupted' || job.state === 'cancelled'
        ? ` (\`jobs resume ${job.id}\` goes on)`
        : ''
    io.out(`job ${job.id} ${job.state}${why}: ${counts}${next}\n`)
  }
  return job.state === 'done' && job.counts.done === job.counts.total ? 0 : 1
}

function defaultLine(item: JobItemView): Record<string, unknown> {
  // The item's own fields first, and never overwritten by a detail of the same name.
  const { key: _k, state: _s, message: _m, ...detail } = item.detail
  return { key: item.key, state: item.state, message: item.message, ...detail }
}

function humanLine(item: JobItemView): string {
  return `${item.key}  ${item.state}${item.message ? `  ${item.message}` : ''}\n`
}
