import { Anchor, Badge, Button, Group, Progress, Stack, Text } from '@mantine/core'
import type { JobView } from '../../../../shared/contract/index'
import { notify } from '../../lib/notify'
import { pageHref } from '../../shell/routes'
import { ITEM_COLORS, JOB_COLORS, countsText, isActive, progressSections } from './job-states'
import { useCancelJob, useJob } from './queries'

/** A job's progress bar, counts and state, live (refreshed by `job.changed`). */
export function JobProgressBar({ job }: { job: JobView }) {
  const sections = progressSections(job.counts)
  return (
    <Progress.Root size="lg" aria-label={`${job.title}: ${countsText(job.counts)}`}>
      {sections.map((s) => (
        <Progress.Section
          key={s.state}
          value={s.value}
          color={ITEM_COLORS[s.state]}
          data-testid={`job-progress-${s.state}`}
        />
      ))}
    </Progress.Root>
  )
}

/**
 * What DPS watch and configuration apply embed once they start a job: bar, counts, state,
 * Cancel while it runs, and a link to the job's page (items, resume, report). The job's page
 * itself embeds it with `linkToJob={false}`: a link to where one is already is noise.
 */
export function JobProgress({ jobId, linkToJob = true }: { jobId: string; linkToJob?: boolean }) {
  const job = useJob(jobId)
  const cancel = useCancelJob()
  if (!job.data) {
    return (
      <Text size="sm" c="dimmed" data-testid="job-progress-loading">
        {job.isError ? 'Cannot read the job; see the notification.' : 'Starting the job…'}
      </Text>
    )
  }
  const j = job.data
  return (
    <Stack gap="xs" data-testid="job-progress" data-state={j.state}>
      <Group justify="space-between">
        <Group gap="xs">
          <Badge color={JOB_COLORS[j.state]} miw="max-content" data-testid="job-progress-state">
            {j.state}
          </Badge>
          <Text size="sm" data-testid="job-progress-counts">
            {countsText(j.counts)}
          </Text>
        </Group>
        <Group gap="xs">
          {isActive(j.state) && (
            <Button
              size="xs"
              variant="light"
              color="red"
              loading={cancel.isPending}
              onClick={() =>
                cancel.mutate(j.id, {
                  onError: (err) => notify.error(err, { title: 'Cannot cancel the job' }),
                })
              }
              data-testid="job-progress-cancel"
            >
              Cancel
            </Button>
          )}
          {linkToJob && (
            <Anchor href={pageHref('jobs', j.id)} size="sm" data-testid="job-progress-link">
              Job details
            </Anchor>
          )}
        </Group>
      </Group>
      <JobProgressBar job={j} />
      {j.error && (
        <Text size="sm" c="red" data-testid="job-progress-error">
          {j.error}
        </Text>
      )}
    </Stack>
  )
}
