import { Button, Group, NumberInput, Stack, Text, TextInput } from '@mantine/core'
import { useState } from 'react'
import { DeviceIdsField, useDeviceIds } from '../../components/DeviceIdsField'
import { JobProgress } from '../jobs/JobProgress'
import { ProvisioningTable } from './ProvisioningTable'
import { useDpsWatch } from './queries'

/** Watch provisioning records for pasted or loaded device ids: a job with per-device steps. */
export function WatchPanel({ hub }: { hub: string | null }) {
  const watch = useDpsWatch()
  const [jobId, setJobId] = useState<string | null>(null)
  const ids = useDeviceIds()
  const [clientId, setClientId] = useState('dps')
  const [timeout, setTimeoutSeconds] = useState<number | string>(600)
  const timeoutError =
    typeof timeout !== 'number' || timeout < 1 || timeout > 7 * 86_400
      ? 'between 1 and 604800 seconds'
      : null

  const submit = (e: React.FormEvent) => {
    e.preventDefault()
    const deviceIds = ids.validate()
    if (!deviceIds || timeoutError || !hub) return
    watch.mutate(
      {
        hub,
        clientId: clientId.trim() || undefined,
        deviceIds,
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
        <DeviceIdsField ids={ids} testId="dps-watch" />
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
