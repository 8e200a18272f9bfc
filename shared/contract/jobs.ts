import { z } from 'zod'
import { eventOf } from './common.js'

/**
 * Long work as data (house style 24): a job row with its input and per-item rows, run with a
 * concurrency limit, cancelled, resumed after a restart, reported per row.
 */
export const JOB_KINDS = [
  'dps.watch',
  'configs.apply',
  'devices.list',
  'local.discover',
  'local.own',
  'local.disown',
  'local.pointAtDps',
  'local.onboard',
  'local.offboard',
] as const
export type JobKind = (typeof JOB_KINDS)[number]

/** `interrupted`: the app stopped while it ran; `jobs.resume` goes on where it was. */
export const JOB_STATES = [
  'queued',
  'running',
  'done',
  'failed',
  'cancelled',
  'interrupted',
] as const
export type JobState = (typeof JOB_STATES)[number]

/** An item's state: final ones are done, failed, timeout and cancelled. */
export const JOB_ITEM_STATES = [
  'pending',
  'running',
  'done',
  'failed',
  'timeout',
  'cancelled',
] as const
export type JobItemState = (typeof JOB_ITEM_STATES)[number]

export type JobCounts = Record<JobItemState, number> & { total: number }

export interface JobView {
  id: string
  kind: JobKind
  /** The hub profile the job works on; '' for local work that needs none (discovery, own…). */
  hub: string
  /** A short human title ("apply light-42 to 250 devices"). */
  title: string
  state: JobState
  counts: JobCounts
  createdAt: number
  updatedAt: number
  /** Why the job as a whole failed (not per item). */
  error: string | null
  /** The limit of requests in flight. */
  concurrency: number
}

export interface JobItemView {
  /** Order of creation within the job. */
  seq: number
  /** The device id (or the listed device's id). */
  key: string
  state: JobItemState
  /** Per-kind detail: provisioning steps, applied-configuration status, a listed device. */
  detail: Record<string, unknown>
  /** A failed item's cause and fix, in words. */
  message: string | null
  /** Increases with every change in the job: `jobs.items({ since })` returns what changed. */
  rev: number
  updatedAt: number
}

export const jobIdInput = z.object({ id: z.string().min(1).max(64) })
export const listJobsInput = z.object({
  limit: z.number().int().min(1).max(500).default(50),
  offset: z.number().int().min(0).default(0),
})
export const jobItemsInput = z.object({
  id: z.string().min(1).max(64),
  /** Only items changed after this rev (0: all), oldest change first. */
  since: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(1000).default(500),
})
export interface JobItemsPage {
  items: JobItemView[]
  /** Pass as `since` for the next page; equal to the input when nothing changed. */
  rev: number
  job: JobView
}

export const jobsMethods = {
  'jobs.list': { input: listJobsInput, output: {} as { items: JobView[]; total: number } },
  'jobs.get': { input: jobIdInput, output: {} as JobView },
  'jobs.items': { input: jobItemsInput, output: {} as JobItemsPage },
  'jobs.cancel': { input: jobIdInput, output: {} as JobView },
  'jobs.resume': { input: jobIdInput, output: {} as JobView },
  /** The per-row report as CSV (RFC 4180): key, state, message, detail columns. */
  'jobs.report': { input: jobIdInput, output: {} as { csv: string; rows: number } },
} as const

export const jobsEvents = {
  'job.changed': eventOf<{ id: string; state: JobState; counts: JobCounts }>(),
}
