// @vitest-environment jsdom
import { act, cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type {
  JobCounts,
  JobItemState,
  JobItemView,
  JobState,
  JobView,
  ParsedInput,
} from '../../shared/contract/index'
import { useAppEvents } from '../../renderer/src/api/events'
import { JobProgress } from '../../renderer/src/features/jobs/JobProgress'
import { JobsPage } from '../../renderer/src/features/jobs/JobsPage'
import { fakeConsole, NOW, renderWithApp, type Handlers } from './helpers'

function counts(items: JobItemView[]): JobCounts {
  const c = { pending: 0, running: 0, done: 0, failed: 0, timeout: 0, cancelled: 0, total: 0 }
  for (const i of items) {
    c[i.state] += 1
    c.total += 1
  }
  return c
}

/** A job held by the fake: its items change by rev like the store's. */
function fakeJob(state: JobState, states: JobItemState[]) {
  let rev = 0
  const items: JobItemView[] = states.map((s, i) => ({
    seq: i + 1,
    key: `dev-${i + 1}`,
    state: s,
    detail: s === 'done' ? { status: 'DONE' } : {},
    message:
      s === 'failed' ? 'the device refused: 403 owner differs; check the enrollment owner' : null,
    rev: ++rev,
    updatedAt: NOW,
  }))
  const job = { state, error: null as string | null }
  const view = (): JobView => ({
    id: 'job-1',
    kind: 'configs.apply',
    hub: 'lab',
    title: 'apply light-42 to 4 devices',
    state: job.state,
    counts: counts(items),
    createdAt: NOW - 60,
    updatedAt: NOW,
    error: job.error,
    concurrency: 16,
  })
  return {
    job,
    items,
    view,
    change(key: string, s: JobItemState) {
      const item = items.find((i) => i.key === key)!
      Object.assign(item, { state: s, rev: ++rev })
    },
    handlers: {
      'jobs.list': () => ({ items: [view()], total: 1 }),
      'jobs.get': () => view(),
      'jobs.items': ({ since, limit }: ParsedInput<'jobs.items'>) => {
        const page = items
          .filter((i) => i.rev > since)
          .sort((a, b) => a.rev - b.rev)
          .slice(0, limit)
        return { items: page.map((i) => ({ ...i })), rev: page.at(-1)?.rev ?? since, job: view() }
      },
      'jobs.cancel': () => {
        job.state = 'cancelled'
        return view()
      },
      'jobs.resume': () => {
        job.state = 'running'
        return view()
      },
      'jobs.report': () => ({ csv: 'key,state,message\r\ndev-1,done,\r\n', rows: 1 }),
    } satisfies Handlers,
  }
}

function WithEvents({ children }: { children: React.ReactNode }) {
  useAppEvents()
  return <>{children}</>
}

beforeEach(() => {
  window.location.hash = '#/jobs'
})
afterEach(() => {
  window.location.hash = ''
  vi.useRealTimers()
})

describe('jobs page', () => {
  it('lists jobs with their state and progress, linking to each', async () => {
    const f = fakeJob('running', ['done', 'failed', 'running', 'pending'])
    renderWithApp(<JobsPage />, fakeConsole(f.handlers).api)
    const row = await screen.findByTestId('job-row-job-1')
    expect(within(row).getByText('running')).toBeTruthy()
    expect(within(row).getByText('2 / 4')).toBeTruthy()
    // At 1024 px a squeezed state badge clipped to "DO…".
    expect(within(row).getByTestId('job-state').style.minWidth).toBe('max-content')
    expect(
      within(row).getByRole('link', { name: 'apply light-42 to 4 devices' }).getAttribute('href'),
    ).toBe('#/jobs/job-1')
  })

  it('names bench jobs (no hub) as such, in the list and on their page', async () => {
    const f = fakeJob('running', ['done', 'pending'])
    const local = (): JobView => ({
      ...f.view(),
      kind: 'local.own',
      hub: '',
      title: 'own 2 devices',
    })
    const handlers = {
      ...f.handlers,
      'jobs.list': () => ({ items: [local()], total: 1 }),
      'jobs.get': () => local(),
    } satisfies Handlers
    renderWithApp(<JobsPage />, fakeConsole(handlers).api)
    const row = await screen.findByTestId('job-row-job-1')
    expect(within(row).getByText('bench')).toBeTruthy()
    cleanup()
    window.location.hash = '#/jobs/job-1'
    renderWithApp(<JobsPage />, fakeConsole(handlers).api)
    expect(await screen.findByText(/local\.own on the bench, at most 16/)).toBeTruthy()
    expect(screen.queryByText(/on hub/)).toBeNull()
  })

  it("shows a job's rows live: a job.changed event fetches only what changed", async () => {
    window.location.hash = '#/jobs/job-1'
    const f = fakeJob('running', ['done', 'failed', 'running', 'pending'])
    const fake = fakeConsole(f.handlers)
    renderWithApp(
      <WithEvents>
        <JobsPage />
      </WithEvents>,
      fake.api,
    )
    expect(await screen.findByTestId('job-item-dev-4')).toBeTruthy()
    expect(screen.getByTestId('job-progress-counts').textContent).toBe(
      '2 of 4 finished (1 done, 1 failed, 1 running, 1 pending)',
    )
    expect(screen.getByTestId('job-item-dev-2').textContent).toContain('403 owner differs')
    // No "Job details" link to the page already shown; item badges keep their full text.
    expect(screen.queryByTestId('job-progress-link')).toBeNull()
    for (const badge of screen.getAllByTestId('job-item-state')) {
      expect(badge.style.minWidth).toBe('max-content')
    }

    f.change('dev-3', 'done')
    f.change('dev-4', 'timeout')
    act(() =>
      fake.emit({
        type: 'job.changed',
        data: { id: 'job-1', state: 'running', counts: f.view().counts },
      }),
    )
    await waitFor(() =>
      expect(within(screen.getByTestId('job-item-dev-4')).getByText('timeout')).toBeTruthy(),
    )
    expect(fake.callsTo('jobs.items').at(-1)).toMatchObject({ id: 'job-1', since: 4 })
    expect(screen.getByTestId('job-progress-counts').textContent).toMatch(/^4 of 4 finished/)
  })

  it('filters the rows by state', async () => {
    window.location.hash = '#/jobs/job-1'
    const f = fakeJob('done', ['done', 'failed', 'done', 'timeout'])
    renderWithApp(<JobsPage />, fakeConsole(f.handlers).api)
    const user = userEvent.setup()
    expect(await screen.findByTestId('job-item-dev-3')).toBeTruthy()
    await user.click(screen.getByText('failed 1'))
    await waitFor(() => expect(screen.queryByTestId('job-item-dev-3')).toBeNull())
    expect(screen.getByTestId('job-item-dev-2')).toBeTruthy()
  })

  it('cancels a running job and resumes it', async () => {
    window.location.hash = '#/jobs/job-1'
    const f = fakeJob('running', ['done', 'pending'])
    const fake = fakeConsole(f.handlers)
    renderWithApp(<JobsPage />, fake.api)
    const user = userEvent.setup()
    expect(screen.queryByTestId('job-resume')).toBeNull()
    await user.click(await screen.findByTestId('job-progress-cancel'))
    expect(fake.callsTo('jobs.cancel')).toEqual([{ id: 'job-1' }])
    await user.click(await screen.findByTestId('job-resume'))
    expect(fake.callsTo('jobs.resume')).toEqual([{ id: 'job-1' }])
    expect(await screen.findByTestId('job-progress-cancel')).toBeTruthy()
  })

  it('explains an interrupted job and saves the report as CSV', async () => {
    window.location.hash = '#/jobs/job-1'
    const f = fakeJob('interrupted', ['done', 'pending'])
    const createObjectURL = vi.fn((_blob: Blob) => 'blob:report')
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() })
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      expect(this.download).toBe('job-job-1.csv')
    })
    renderWithApp(<JobsPage />, fakeConsole(f.handlers).api)
    const user = userEvent.setup()
    expect(await screen.findByTestId('job-interrupted')).toBeTruthy()
    expect(screen.getByTestId('job-resume')).toBeTruthy()
    await user.click(screen.getByTestId('job-report'))
    await waitFor(() => expect(click).toHaveBeenCalledOnce())
    const blob = createObjectURL.mock.calls[0]![0]
    expect(blob.type).toBe('text/csv')
    expect(blob.size).toBe('key,state,message\r\ndev-1,done,\r\n'.length)
    click.mockRestore()
  })
})

describe('JobProgress', () => {
  it('shows the counts, the error and a link to the job', async () => {
    const f = fakeJob('failed', ['done', 'pending'])
    f.job.error = 'the hub at https://lab:443 did not answer in 10 s: check the URL'
    renderWithApp(<JobProgress jobId="job-1" />, fakeConsole(f.handlers).api)
    expect((await screen.findByTestId('job-progress-error')).textContent).toContain(
      'did not answer',
    )
    expect(screen.getByTestId('job-progress').getAttribute('data-state')).toBe('failed')
    expect(screen.getByTestId('job-progress-link').getAttribute('href')).toBe('#/jobs/job-1')
    expect(screen.queryByTestId('job-progress-cancel')).toBeNull()
    expect(screen.getByTestId('job-progress-done')).toBeTruthy()
  })
})
