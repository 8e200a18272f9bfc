import { Button, Checkbox, Group, Modal, NumberInput, Stack } from '@mantine/core'
import { useState } from 'react'
import { DeviceIdsField, useDeviceIds } from '../../components/DeviceIdsField'
import { JobProgress } from '../jobs/JobProgress'
import { useApplyConfig } from './queries'

interface ApplyDialogProps {
  hub: string
  config: { id: string; name: string }
  opened: boolean
  onClose: () => void
}

/** Apply a configuration now to pasted or loaded device ids, then follow the job. */
export function ApplyDialog({ hub, config, opened, onClose }: ApplyDialogProps) {
  const [jobId, setJobId] = useState<string | null>(null)
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={`Apply ${config.name || config.id} to devices`}
      size="xl"
      attributes={{ content: { 'data-testid': 'apply-dialog' } }}
    >
      {jobId ? (
        <Stack>
          <JobProgress jobId={jobId} />
          <Group justify="flex-end">
            <Button onClick={onClose} data-testid="apply-close">
              Close
            </Button>
          </Group>
        </Stack>
      ) : (
        <ApplyForm hub={hub} configId={config.id} onStarted={setJobId} onCancel={onClose} />
      )}
    </Modal>
  )
}

function ApplyForm({
  hub,
  configId,
  onStarted,
  onCancel,
}: {
  hub: string
  configId: string
  onStarted: (jobId: string) => void
  onCancel: () => void
}) {
  const apply = useApplyConfig()
  const ids = useDeviceIds()
  const [concurrency, setConcurrency] = useState<number | string>('')
  const [timeout, setTimeoutSeconds] = useState<number | string>(300)
  const [force, setForce] = useState(false)
  const timeoutError =
    typeof timeout !== 'number' || timeout < 1 || timeout > 86_400
      ? 'between 1 and 86400 seconds'
      : null
  const concurrencyError =
    concurrency !== '' && (typeof concurrency !== 'number' || concurrency < 1 || concurrency > 256)
      ? 'between 1 and 256, or empty for the setting'
      : null

  const submit = (e: React.FormEvent) => {
    e.preventDefault()
    const deviceIds = ids.validate()
    if (!deviceIds || timeoutError || concurrencyError) return
    apply.mutate(
      {
        hub,
        configId,
        deviceIds,
        force,
        concurrency: typeof concurrency === 'number' ? concurrency : undefined,
        timeoutSeconds: timeout as number,
      },
      { onSuccess: ({ jobId }) => onStarted(jobId) },
    )
  }

  return (
    <form onSubmit={submit} noValidate data-testid="apply-form">
      <Stack>
        <DeviceIdsField ids={ids} testId="apply-device" autoFocus />
        <Group grow align="flex-start">
          <NumberInput
            label="Requests in flight"
            description="Empty: the jobs setting"
            allowDecimal={false}
            allowNegative={false}
            value={concurrency}
            onChange={setConcurrency}
            error={concurrencyError}
            data-testid="apply-concurrency"
          />
          <NumberInput
            label="Give up on a device after (seconds)"
            allowDecimal={false}
            allowNegative={false}
            value={timeout}
            onChange={setTimeoutSeconds}
            error={timeoutError}
            data-testid="apply-timeout"
          />
        </Group>
        <Checkbox
          label="Force: update resources even when a device already has the content"
          checked={force}
          onChange={(e) => setForce(e.currentTarget.checked)}
          data-testid="apply-force"
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={apply.isPending} data-testid="apply-submit">
            Apply
          </Button>
        </Group>
      </Stack>
    </form>
  )
}
