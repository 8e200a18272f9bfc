import type { jobsMethods } from '../../../shared/contract/index.js'
import type { DomainTable, MethodContext } from './method-table.js'

/** Bulk jobs: the runner (app.jobs) does the work; cancel and resume are audited. */
export function implementJobs({ app, audit }: MethodContext): DomainTable<typeof jobsMethods> {
  return {
    'jobs.list': ({ limit, offset }) => app.jobs.list(limit, offset),
    'jobs.get': ({ id }) => app.jobs.view(id),
    'jobs.items': ({ id, since, limit }) => app.jobs.items(id, since, limit),
    'jobs.cancel': async ({ id }) => {
      const view = await app.jobs.cancel(id)
      audit('job.cancelled', id, { kind: view.kind, hub: view.hub })
      return view
    },
    'jobs.resume': ({ id }) => {
      const view = app.jobs.resume(id)
      audit('job.resumed', id, { kind: view.kind, hub: view.hub })
      return view
    },
    'jobs.report': ({ id }) => app.jobs.report(id),
  }
}
