import {
  Anchor,
  Badge,
  EmptyState,
  Loader,
  Pagination,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core'
import { useState } from 'react'
import { LoadFailed } from '../../components/LoadFailed'
import { formatTime } from '../../lib/format'
import { pageHref, useRoute } from '../../shell/routes'
import { JobDetail } from './JobDetail'
import { JobProgressBar } from './JobProgress'
import { JOB_COLORS, finished } from './job-states'
import { useJobs } from './queries'

export const JOBS_PAGE_SIZE = 25

/** Bulk jobs: the list, or one job's page when the route names it (`#/jobs/<id>`). */
export function JobsPage() {
  const { param: jobId } = useRoute()
  return jobId ? <JobDetail jobId={jobId} /> : <JobList />
}

function JobList() {
  const [page, setPage] = useState(1)
  const jobs = useJobs({ limit: JOBS_PAGE_SIZE, offset: (page - 1) * JOBS_PAGE_SIZE })
  const items = jobs.data?.items ?? []
  const pages = Math.max(1, Math.ceil((jobs.data?.total ?? 0) / JOBS_PAGE_SIZE))
  return (
    <Stack>
      <Title order={2}>Jobs</Title>
      <Text size="sm" c="dimmed">
        DPS watches, configuration applies, device listings and bench work (discovery, ownership,
        onboarding) run as jobs: they survive a restart (resume them from their page) and keep a
        per-device report.
      </Text>
      {jobs.isPending ? (
        <Loader aria-label="Loading the jobs" />
      ) : jobs.isError && !jobs.data ? (
        <LoadFailed what="the jobs" onRetry={() => void jobs.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState
          title="No jobs yet"
          description="Watching DPS onboarding or applying a configuration starts one."
          data-testid="jobs-empty"
        />
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table striped data-testid="jobs-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Job</Table.Th>
                <Table.Th>Hub</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th w={220}>Progress</Table.Th>
                <Table.Th>Started</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((j) => (
                <Table.Tr key={j.id} data-testid={`job-row-${j.id}`}>
                  <Table.Td>
                    <Anchor href={pageHref('jobs', j.id)}>{j.title}</Anchor>
                    <Text size="xs" c="dimmed">
                      {j.kind}
                    </Text>
                  </Table.Td>
                  <Table.Td>{j.hub || 'bench'}</Table.Td>
                  <Table.Td>
                    {/* A squeezed badge clips to "DO…": it keeps its text's width. */}
                    <Badge color={JOB_COLORS[j.state]} miw="max-content" data-testid="job-state">
                      {j.state}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <JobProgressBar job={j} />
                    <Text size="xs" c="dimmed">
                      {finished(j.counts)} / {j.counts.total}
                    </Text>
                  </Table.Td>
                  <Table.Td>{formatTime(j.createdAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} />}
    </Stack>
  )
}
