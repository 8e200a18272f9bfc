import {
  Button,
  FileButton,
  Group,
  NumberInput,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core'
import { useState } from 'react'
import { readFileText } from '../../lib/read-file'
import { parseDeviceIds } from '../configs/device-ids'
import { JobProgress } from '../jobs/JobProgress'
import { ProvisioningTable } from './ProvisioningTable'
import { useDpsWatch } from './queries'

/** Watch provisioning records for pasted or loaded device ids: a job with per-device steps. */
export function WatchPanel({ hub }: { hub: string | null }) {
  const watch = useDpsWatch()
  const [jobId, setJobId] = useState<string | null>(null)
  const [text, setText] = useState('')
  const [clientId, setClientId] = useState('dps')
  const [timeout, setTimeoutSeconds] = useState<number | string>(600)
  const [idsError, setIdsError] = useState<string | null>(null)
  const parsed = parseDeviceIds(text)
  const timeoutError =
    typeof timeout !== 'number' || timeout < 1 || timeout > 7 * 86_400
      ? 'between 1 and 604800 seconds'
      : null

  const load = async (file: File | null) => {
    if (!file) return
    try {
      setText(await readFileText(file))
      setIdsError(null)
    } catch (err) {
      setIdsError(`${file.name} could not be read: ${(err as Error).message}`)
    }
  }
  const submit = (e: React.FormEvent) => {
    e.preventDefault()
    const error = parsed.error ?? (parsed.ids.length === 0 ? 'give at least one device id' : null)
    setIdsError(error)
    if (error || timeoutError || !hub) return
    watch.mutate(
      {
        hub,
        clientId: clientId.trim() || undefined,
        deviceIds: parsed.ids,
        timeoutSeconds: timeout as number,
      },
      { onSuccess: ({ jobId: id }) => setJobId(id) },
    )
  }

  if (jobId) {
    return (
      <Stack data-testid="dps-watch-job">
        <JobProgress jobId={jobId} />
        <ProvisioningTable jobId={jobId} />
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setJobId(null)}>
            Watch other devices
          </Button>
        </Group>
      </Stack>
    )
  }
  return (
    <form onSubmit={submit} noValidate data-testid="dps-watch-form">
      <Stack>
        {!hub ? <Text c="dimmed">Choose a hub first.</Text> : null}
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
          data-testid="dps-watch-ids"
        />
        <Group justify="space-between">
          <FileButton
            onChange={(f) => void load(f)}
            accept=".csv,.json,.txt,text/csv,application/json"
          >
            {(props) => (
              <Button variant="default" {...props} data-testid="dps-watch-file">
                Load a CSV or JSON file…
              </Button>
            )}
          </FileButton>
          <Text size="sm" c="dimmed">
            {parsed.error ? '' : `${parsed.ids.length} device${parsed.ids.length === 1 ? '' : 's'}`}
          </Text>
        </Group>
        <Group grow align="flex-start">
          <TextInput
            label="DPS client"
            description="Records are read as its owner (the enrollment group's); empty: the hub profile's"
            value={clientId}
            onChange={(e) => setClientId(e.currentTarget.value)}
            data-testid="dps-watch-client"
          />
          <NumberInput
            label="Give up on a device after (seconds)"
            allowDecimal={false}
            allowNegative={false}
            value={timeout}
            onChange={setTimeoutSeconds}
            error={timeoutError}
            data-testid="dps-watch-timeout"
          />
        </Group>
        {watch.error ? (
          <Text c="red" size="sm" role="alert">
            {watch.error.message}
          </Text>
        ) : null}
        <Group justify="flex-end">
          <Button
            type="submit"
            disabled={!hub}
            loading={watch.isPending}
            data-testid="dps-watch-start"
          >
            Start watching
          </Button>
        </Group>
      </Stack>
    </form>
  )
}
