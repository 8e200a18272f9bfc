import { Alert, Badge, Button, Code, Group, Loader, Stack, Table, Text } from '@mantine/core'
import { Fragment, useState } from 'react'
import type { DeviceView } from '../../../../shared/contract/index'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { useRemoveDevice, useResourceLinks } from './queries'
import { UpdateResourceDialog } from './UpdateResourceDialog'

const STATUS_COLOR: Record<DeviceView['status'], string> = {
  ONLINE: 'green',
  OFFLINE: 'gray',
  UNKNOWN: 'yellow',
}

/** Listed devices with their status, links, a resource update and removal (confirmed). */
export function DevicesTable({
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
                  {/* A squeezed badge clips to "ONL…": it keeps its text's width. */}
                  <Badge
                    color={STATUS_COLOR[d.status]}
                    variant="light"
                    miw="max-content"
                    data-testid="device-status"
                  >
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
