import {
  Alert,
  Button,
  EmptyState,
  Group,
  Loader,
  Pagination,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { useState } from 'react'
import { splitList } from '../../lib/form'
import { HubSelect } from '../hubs/HubSelect'
import { DevicesTable } from './DevicesTable'
import { useListedDevices, useStartListing } from './queries'

export const DEVICES_PAGE_SIZE = 100

/** A hub's devices, listed as they stream in, with their links, updates and removal. */
export function DevicesPage() {
  const [hub, setHub] = useState<string | null>(null)
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Devices</Title>
        <HubSelect value={hub} onChange={setHub} />
      </Group>
      {hub ? (
        <HubDevices key={hub} hub={hub} />
      ) : (
        <EmptyState
          title="Choose a hub"
          description="Its http-gateway lists the devices it knows."
          data-testid="devices-no-hub"
        />
      )}
    </Stack>
  )
}

function HubDevices({ hub }: { hub: string }) {
  const start = useStartListing()
  const [status, setStatus] = useState<'ONLINE' | 'OFFLINE' | null>(null)
  const [types, setTypes] = useState('')
  const [jobId, setJobId] = useState<string | null>(null)
  const [removed, setRemoved] = useState<Set<string>>(new Set())
  const listing = useListedDevices(jobId)
  const [page, setPage] = useState(1)
  const devices = listing.devices.filter((d) => !removed.has(d.id))
  const pages = Math.max(1, Math.ceil(devices.length / DEVICES_PAGE_SIZE))
  const shown = devices.slice((page - 1) * DEVICES_PAGE_SIZE, page * DEVICES_PAGE_SIZE)
  const job = listing.job
  const streaming =
    jobId !== null && (job === null || job.state === 'running' || job.state === 'queued')

  const list = () =>
    start.mutate(
      { hub, status: status ?? undefined, types: splitList(types) },
      {
        onSuccess: ({ jobId: id }) => {
          setRemoved(new Set())
          setPage(1)
          setJobId(id)
        },
      },
    )

  return (
    <Stack>
      <Group align="flex-end">
        <Select
          label="Status"
          placeholder="any"
          clearable
          data={['ONLINE', 'OFFLINE']}
          value={status}
          onChange={(v) => setStatus(v as 'ONLINE' | 'OFFLINE' | null)}
          data-testid="devices-status"
        />
        <TextInput
          label="Types"
          placeholder="any"
          description="Comma separated; all must match"
          value={types}
          onChange={(e) => setTypes(e.currentTarget.value)}
          w={260}
          data-testid="devices-types"
        />
        <Button onClick={list} loading={start.isPending} data-testid="devices-list">
          {jobId ? 'List again' : 'List devices'}
        </Button>
        {streaming && <Loader size="sm" aria-label="Devices are streaming in" />}
        <Text size="sm" c="dimmed" data-testid="devices-count" data-count={devices.length}>
          {jobId ? `${devices.length} device${devices.length === 1 ? '' : 's'}` : ''}
          {streaming ? ' so far' : ''}
        </Text>
      </Group>
      {start.isError && (
        <Alert color="red" title="Could not list the devices" data-testid="devices-failed">
          {start.error.message}
        </Alert>
      )}
      {job?.state === 'failed' && (
        <Alert color="red" title="The listing failed" data-testid="devices-failed">
          {job.error ?? 'see the job on the Jobs page'}
        </Alert>
      )}
      {listing.error && (
        <Alert color="red" title="Could not read the listing">
          {listing.error.message}
        </Alert>
      )}
      {jobId && devices.length === 0 && !streaming && job?.state === 'done' ? (
        <Text c="dimmed" data-testid="devices-empty">
          The hub lists no devices{status ? ` ${status.toLowerCase()}` : ''} for this owner.
        </Text>
      ) : null}
      {devices.length > 0 && (
        <DevicesTable
          hub={hub}
          devices={shown}
          onRemoved={(id) => setRemoved((s) => new Set(s).add(id))}
        />
      )}
      {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} />}
    </Stack>
  )
}
