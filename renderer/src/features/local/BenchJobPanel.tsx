import { Badge, Button, Card, Code, Group, Stack, Table, Text, Title } from '@mantine/core'
import { useEffect, useRef } from 'react'
import type {
  JobItemView,
  JobKind,
  LocalOnboardDetail,
  ProvisioningStepView,
} from '../../../../shared/contract/index'
import { CopyButton } from '../../components/CopyButton'
import { downloadText } from '../../lib/download'
import { formatTime } from '../../lib/format'
import { notify } from '../../lib/notify'
import { JobProgress } from '../jobs/JobProgress'
import { ITEM_COLORS, canResume } from '../jobs/job-states'
import { useJob, useJobItems, useJobReport, useResumeJob } from '../jobs/queries'

/** Rows drawn at most; the CSV report has them all. */
const SHOWN = 200

export const ACTION_TITLES: Partial<Record<JobKind, string>> = {
  'local.own': 'Own',
  'local.disown': 'Disown',
  'local.offboard': 'Offboard',
  'local.pointAtDps': 'Point at DPS',
  'local.onboard': 'Onboard directly',
}

const EXTRA_COLUMN: Partial<Record<JobKind, string>> = {
  'local.pointAtDps': 'DPS steps',
  'local.onboard': 'Token',
}

const STEP_COLOR: Record<string, string> = { pending: 'gray', done: 'green', failed: 'red' }

function detailOf(item: JobItemView): LocalOnboardDetail {
  return item.detail as unknown as LocalOnboardDetail
}

/** dps.watch's step rows as the point-at-DPS detail carries them; anything else is skipped. */
function stepsOf(detail: LocalOnboardDetail): ProvisioningStepView[] {
  if (!Array.isArray(detail.dpsSteps)) return []
  return detail.dpsSteps.filter(
    (s): s is ProvisioningStepView =>
      typeof s === 'object' && s !== null && 'step' in s && 'state' in s,
  )
}

/**
 * An action on the selection, device by device: state, what the device reports, DPS's steps or
 * the token handed over, and for a failure where and why, with any snippet the hub admin needs.
 */
export function BenchJobPanel({
  jobId,
  kind,
  names,
  onDone,
  onClose,
}: {
  jobId: string
  kind: JobKind
  /** Device names from discovery, by id. */
  names: ReadonlyMap<string, string>
  /** The devices done so far (each time more are). */
  onDone?: (keys: string[]) => void
  onClose: () => void
}) {
  const job = useJob(jobId)
  const items = useJobItems(jobId)
  const resume = useResumeJob()
  const report = useJobReport()
  const rows = (items.data ?? []).slice(0, SHOWN)
  // DPS's steps or the token handed over; own, disown and offboard have neither.
  const extra = EXTRA_COLUMN[kind]
  const panel = useRef<HTMLDivElement>(null)
  // Started below the fold at 700 px: bring the progress into sight once. (In braces: Chromium's
  // scrollIntoView answers a promise, which React would take for the effect's cleanup.)
  useEffect(() => {
    void panel.current?.scrollIntoView({ block: 'nearest' })
  }, [])
  const doneKeys = (items.data ?? [])
    .filter((i) => i.state === 'done')
    .map((i) => i.key)
    .join('\n')
  // The latest callback, without making each new one re-run the report below.
  const report$ = useRef(onDone)
  useEffect(() => {
    report$.current = onDone
  }, [onDone])
  useEffect(() => {
    if (doneKeys) report$.current?.(doneKeys.split('\n'))
  }, [doneKeys])
  const state = job.data?.state
  const saveReport = () =>
    report.mutate(jobId, {
      onSuccess: ({ csv }) => downloadText(`job-${jobId}.csv`, csv, 'text/csv'),
      onError: (err) => notify.error(err, { title: 'Cannot build the report' }),
    })
  return (
    <Card withBorder ref={panel} data-testid="local-bench-job" data-kind={kind}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3} size="h4">
            {job.data?.title ?? ACTION_TITLES[kind] ?? kind}
          </Title>
          <Group gap="xs">
            {state && canResume(state) && (
              <Button
                size="xs"
                loading={resume.isPending}
                onClick={() =>
                  resume.mutate(jobId, {
                    onError: (err) => notify.error(err, { title: 'Cannot resume the job' }),
                  })
                }
                data-testid="local-job-resume"
              >
                Resume
              </Button>
            )}
            <Button
              size="xs"
              variant="default"
              loading={report.isPending}
              onClick={saveReport}
              data-testid="local-job-report"
            >
              Download report (CSV)
            </Button>
            <Button size="xs" variant="subtle" onClick={onClose} data-testid="local-job-close">
              Close
            </Button>
          </Group>
        </Group>
        <JobProgress jobId={jobId} />
        <Table.ScrollContainer minWidth={760}>
          <Table striped data-testid="local-job-items" aria-label="Progress per device">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Device</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Device status</Table.Th>
                {extra && <Table.Th>{extra}</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((item) => (
                <ItemRows
                  key={item.key}
                  item={item}
                  name={names.get(item.key)}
                  withExtra={extra !== undefined}
                />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {(items.data?.length ?? 0) > SHOWN && (
          <Text size="sm" c="dimmed">
            The first {SHOWN} of {items.data?.length} devices; the report has them all.
          </Text>
        )}
      </Stack>
    </Card>
  )
}

function ItemRows({
  item,
  name,
  withExtra,
}: {
  item: JobItemView
  name: string | undefined
  withExtra: boolean
}) {
  const detail = detailOf(item)
  const steps = stepsOf(detail)
  const hasMore = Boolean(item.message || detail.snippet)
  return (
    <>
      <Table.Tr data-testid={`local-job-item-${item.key}`} data-state={item.state}>
        <Table.Td>
          {name && <Text size="sm">{name}</Text>}
          <Code>{item.key}</Code>
        </Table.Td>
        <Table.Td>
          <Badge
            color={ITEM_COLORS[item.state]}
            variant="light"
            miw="max-content"
            data-testid="local-job-item-state"
          >
            {item.state}
          </Badge>
        </Table.Td>
        <Table.Td>
          <Text size="sm" ff="monospace" data-testid="local-job-item-device-status">
            {detail.deviceStatus ?? ''}
          </Text>
        </Table.Td>
        {withExtra && (
          <Table.Td>
            {steps.length > 0 ? (
              <Group gap={4}>
                {steps.map((s) => (
                  <Badge
                    key={s.step}
                    size="sm"
                    variant="light"
                    color={STEP_COLOR[s.state] ?? 'gray'}
                    miw="max-content"
                    aria-label={`${s.step}: ${s.state}`}
                  >
                    {s.step}
                  </Badge>
                ))}
              </Group>
            ) : detail.token ? (
              <Text size="xs" c="dimmed">
                jti <Code>{detail.token.jti}</Code>, expires {formatTime(detail.token.expiresAt)}
              </Text>
            ) : null}
          </Table.Td>
        )}
      </Table.Tr>
      {hasMore && (
        <Table.Tr data-testid={`local-job-item-${item.key}-more`}>
          <Table.Td colSpan={withExtra ? 4 : 3}>
            <Stack gap={4}>
              {item.message && (
                <Group gap="xs" wrap="nowrap" align="flex-start">
                  {detail.failedAt && (
                    <Badge color="red" variant="outline" miw="max-content">
                      at {detail.failedAt}
                    </Badge>
                  )}
                  <Text
                    size="sm"
                    c={item.state === 'failed' || item.state === 'timeout' ? 'red' : undefined}
                    data-testid="local-job-item-message"
                  >
                    {item.message}
                  </Text>
                </Group>
              )}
              {detail.snippet && (
                <Stack gap={4} data-testid="local-job-item-snippet">
                  <Group justify="space-between">
                    <Text size="xs" c="dimmed">
                      Configuration for the hub admin (YAML)
                    </Text>
                    <CopyButton value={detail.snippet} label={`the snippet for ${item.key}`} />
                  </Group>
                  <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                    {detail.snippet}
                  </Code>
                </Stack>
              )}
            </Stack>
          </Table.Td>
        </Table.Tr>
      )}
    </>
  )
}
