import {
  Alert,
  Badge,
  Button,
  Code,
  EmptyState,
  Group,
  Loader,
  Pagination,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { Fragment, useState } from 'react'
import type { DeviceView } from '../../../../shared/contract/index'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { splitList } from '../../lib/form'
import { HubSelect } from '../hubs/HubSelect'
import { useListedDevices, useRemoveDevice, useResourceLinks, useStartListing } from './queries'
import { UpdateResourceDialog } from './UpdateResourceDialog'

export const DEVICES_PAGE_SIZE = 100
const STATUS_COLOR: Record<DeviceView['status'], string> = {
  ONLINE: 'green',
  OFFLINE: 'gray',
  UNKNOWN: 'yellow',
}

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

function DevicesTable({
  hub,
  devices,
  onRemoved,
}: {
  hub: string
  devices: DeviceView[]
  onRemoved: (id: string) => void
}) {
  const [open, setOpen] = useState<string | null>(null)
  const [updating, setUpdating] = useState<{ deviceId: string; href: string } | null>(null)
  const [removing, setRemoving] = useState<DeviceView | null>(null)
  const remove = useRemoveDevice()
  return (
    <>
      <Table striped data-testid="devices-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Device</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Types</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {devices.map((d) => (
            <Fragment key={d.id}>
              <Table.Tr data-testid="device-row" data-device-id={d.id}>
                <Table.Td>
                  {d.name || '(unnamed)'}
                  <Text size="xs" c="dimmed">
                    <Code>{d.id}</Code>
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge color={STATUS_COLOR[d.status]} variant="light" data-testid="device-status">
                    {d.status.toLowerCase()}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{d.types.join(', ')}</Text>
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end">
                    <Button
                      size="xs"
                      variant="default"
                      aria-expanded={open === d.id}
                      onClick={() => setOpen(open === d.id ? null : d.id)}
                      data-testid="device-links"
                    >
                      Resource links
                    </Button>
                    <Button
                      size="xs"
                      variant="default"
                      onClick={() => setUpdating({ deviceId: d.id, href: '' })}
                    >
                      Update a resource
                    </Button>
                    <Button
                      size="xs"
                      color="red"
                      variant="light"
                      onClick={() => setRemoving(d)}
                      data-testid="device-remove"
                    >
                      Remove
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
              {open === d.id && (
                <Table.Tr>
                  <Table.Td colSpan={4}>
                    <ResourceLinks
                      hub={hub}
                      deviceId={d.id}
                      onUpdate={(href) => setUpdating({ deviceId: d.id, href })}
                    />
                  </Table.Td>
                </Table.Tr>
              )}
            </Fragment>
          ))}
        </Table.Tbody>
      </Table>
      {updating && (
        <UpdateResourceDialog
          hub={hub}
          deviceId={updating.deviceId}
          href={updating.href}
          onClose={() => setUpdating(null)}
        />
      )}
      <ConfirmDialog
        opened={removing !== null}
        title="Remove the device from the hub?"
        confirmLabel="Remove"
        loading={remove.isPending}
        onClose={() => setRemoving(null)}
        onConfirm={() => {
          const target = removing
          if (!target) return
          remove.mutate(
            { hub, deviceId: target.id },
            {
              onSuccess: () => {
                onRemoved(target.id)
                setRemoving(null)
              },
            },
          )
        }}
        testId="remove-device-dialog"
      >
        <Text>
          {removing?.name || removing?.id} is removed from {hub}: the hub forgets it and its
          resources. The device must be onboarded again to come back.
        </Text>
      </ConfirmDialog>
    </>
  )
}

function ResourceLinks({
  hub,
  deviceId,
  onUpdate,
}: {
  hub: string
  deviceId: string
  onUpdate: (href: string) => void
}) {
  const links = useResourceLinks(hub, deviceId)
  if (links.isPending) return <Loader size="sm" aria-label="Loading resource links" />
  if (links.isError)
    return (
      <Alert color="red" title="Could not read the resource links">
        {links.error.message}
      </Alert>
    )
  if (links.data.length === 0) return <Text c="dimmed">No published resources.</Text>
  return (
    <Stack gap={4} data-testid="resource-links">
      {links.data.map((l) => (
        <Group key={l.href} gap="xs">
          <Code>{l.href}</Code>
          <Text size="sm" c="dimmed">
            {l.resourceTypes.join(', ')}
          </Text>
          <Button size="compact-xs" variant="subtle" onClick={() => onUpdate(l.href)}>
            Update
          </Button>
        </Group>
      ))}
    </Stack>
  )
}
