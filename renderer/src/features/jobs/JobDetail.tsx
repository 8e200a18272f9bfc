import {
  Anchor,
  Badge,
  Button,
  Code,
  Group,
  Loader,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core'
import { useState } from 'react'
import type { JobItemState } from '../../../../shared/contract/index'
import { LoadFailed } from '../../components/LoadFailed'
import { downloadText } from '../../lib/download'
import { notify } from '../../lib/notify'
import { pageHref } from '../../shell/routes'
import { JobProgress } from './JobProgress'
import { ITEM_COLORS, canResume } from './job-states'
import { useJob, useJobItems, useJobReport, useResumeJob } from './queries'

/** Rows drawn at most: the report has them all. */
export const MAX_ROWS = 500
const FILTERS = ['all', 'pending', 'running', 'done', 'failed', 'timeout', 'cancelled'] as const
type Filter = (typeof FILTERS)[number]

/** One job: live progress, Cancel / Resume, the per-device rows by state, the CSV report. */
export function JobDetail({ jobId }: { jobId: string }) {
  const job = useJob(jobId)
  const items = useJobItems(jobId)
  const resume = useResumeJob()
  const report = useJobReport()
  const [filter, setFilter] = useState<Filter>('all')

  if (job.isPending) return <Loader aria-label="Loading the job" />
  if (!job.data) return <LoadFailed what="the job" onRetry={() => void job.refetch()} />
  const j = job.data
  const rows = (items.data ?? []).filter((i) => filter === 'all' || i.state === filter)
  const saveReport = () =>
    report.mutate(j.id, {
      onSuccess: ({ csv }) => downloadText(`job-${j.id}.csv`, csv, 'text/csv'),
      onError: (err) => notify.error(err, { title: 'Cannot build the report' }),
    })

  return (
    <Stack data-testid="job-detail">
      <Anchor href={pageHref('jobs')} size="sm">
        ← All jobs
      </Anchor>
      <Group justify="space-between">
        <div>
          <Title order={2}>{j.title}</Title>
          <Text size="sm" c="dimmed">
            {j.kind} {j.hub ? `on hub ${j.hub}` : 'on the bench'}, at most {j.concurrency} requests
            in flight · <Code>{j.id}</Code>
          </Text>
        </div>
        <Group>
          {canResume(j.state) && (
            <Button
              loading={resume.isPending}
              onClick={() =>
                resume.mutate(j.id, {
                  onError: (err) => notify.error(err, { title: 'Cannot resume the job' }),
                })
              }
              data-testid="job-resume"
            >
              Resume
            </Button>
          )}
          <Button
            variant="default"
            loading={report.isPending}
            onClick={saveReport}
            data-testid="job-report"
          >
            Save report (CSV)
          </Button>
        </Group>
      </Group>
      <JobProgress jobId={j.id} linkToJob={false} />
      {j.state === 'interrupted' && (
        <Text size="sm" data-testid="job-interrupted">
          The app stopped while this job ran. Resume goes on with the devices not finished.
        </Text>
      )}
      <SegmentedControl
        value={filter}
        onChange={(v) => setFilter(v as Filter)}
        data={FILTERS.map((f) => ({
          value: f,
          label: f === 'all' ? `all ${j.counts.total}` : `${f} ${j.counts[f as JobItemState]}`,
        }))}
        aria-label="Show items in this state"
        data-testid="job-filter"
      />
      {items.isError && !items.data ? (
        <LoadFailed what="the job's items" onRetry={() => void items.refetch()} />
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table striped data-testid="job-items">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Device</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Cause and fix</Table.Th>
                <Table.Th>Detail</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.slice(0, MAX_ROWS).map((i) => (
                <Table.Tr key={i.key} data-testid={`job-item-${i.key}`}>
                  <Table.Td>
                    <Code>{i.key}</Code>
                  </Table.Td>
                  <Table.Td>
                    {/* A squeezed badge clips to "D…": it keeps its text's width. */}
                    <Badge
                      color={ITEM_COLORS[i.state]}
                      variant="light"
                      miw="max-content"
                      data-testid="job-item-state"
                    >
                      {i.state}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{i.message ?? ''}</Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace" style={{ wordBreak: 'break-all' }}>
                      {Object.keys(i.detail).length ? JSON.stringify(i.detail) : ''}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {rows.length > MAX_ROWS && (
        <Text size="sm" c="dimmed" data-testid="job-items-more">
          Showing {MAX_ROWS} of {rows.length}; the report has every row.
        </Text>
      )}
    </Stack>
  )
}
