import {
  Button,
  Checkbox,
  FileButton,
  Group,
  Modal,
  NumberInput,
  Stack,
  Text,
  Textarea,
} from '@mantine/core'
import { useState } from 'react'
import { readFileText } from '../../lib/read-file'
import { JobProgress } from '../jobs/JobProgress'
import { parseDeviceIds } from './device-ids'
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
  const [text, setText] = useState('')
  const [idsError, setIdsError] = useState<string | null>(null)
  const [concurrency, setConcurrency] = useState<number | string>('')
  const [timeout, setTimeoutSeconds] = useState<number | string>(300)
  const [force, setForce] = useState(false)
  const parsed = parseDeviceIds(text)

  const load = async (file: File | null) => {
    if (!file) return
    try {
      setText(await readFileText(file))
      setIdsError(null)
    } catch (err) {
      setIdsError(`${file.name} could not be read: ${(err as Error).message}`)
    }
  }
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
    const error = parsed.error ?? (parsed.ids.length === 0 ? 'give at least one device id' : null)
    setIdsError(error)
    if (error || timeoutError || concurrencyError) return
    apply.mutate(
      {
        hub,
        configId,
        deviceIds: parsed.ids,
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
        <Textarea
          label="Device ids"
          description="One per line, or comma separated; or load a CSV (first column) or JSON list"
          autosize
          minRows={4}
          maxRows={12}
          value={text}
          onChange={(e) => {
            setText(e.currentTarget.value)
            setIdsError(null)
          }}
          error={idsError}
          data-autofocus
          data-testid="apply-device-ids"
        />
        <Group justify="space-between">
          <FileButton
            onChange={(f) => void load(f)}
            accept=".csv,.json,.txt,text/csv,application/json"
          >
            {(props) => (
              <Button variant="default" {...props} data-testid="apply-load-file">
                Load a CSV or JSON file…
              </Button>
            )}
          </FileButton>
          <Text size="sm" c="dimmed" data-testid="apply-device-count">
            {parsed.error ? '' : `${parsed.ids.length} device${parsed.ids.length === 1 ? '' : 's'}`}
          </Text>
        </Group>
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
