import { Badge, Checkbox, Code, Stack, Table, Text } from '@mantine/core'
import type { LocalDeviceView } from '../../../../shared/contract/index'

const OWNERSHIP_COLOR: Record<LocalDeviceView['ownershipStatus'], string> = {
  OWNED: 'teal',
  UNOWNED: 'blue',
  UNKNOWN: 'gray',
  UNSUPPORTED: 'orange',
}

/** Rows drawn at most: a bench holds a few dozen; a whole site's multicast may answer more. */
export const MAX_DISCOVERED_ROWS = 500

interface DiscoveredTableProps {
  devices: LocalDeviceView[]
  selected: ReadonlySet<string>
  onToggle: (id: string, on: boolean) => void
}

/** The devices that answered, each with a checkbox: Space toggles it from the keyboard. */
export function DiscoveredTable({ devices, selected, onToggle }: DiscoveredTableProps) {
  const shown = devices.slice(0, MAX_DISCOVERED_ROWS)
  return (
    <>
      <Table.ScrollContainer minWidth={760}>
        <Table striped data-testid="local-devices" aria-label="Discovered devices">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={40} />
              <Table.Th>Device</Table.Th>
              <Table.Th>Ownership</Table.Th>
              <Table.Th>Types</Table.Th>
              <Table.Th>Endpoints</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((d) => (
              <Table.Tr
                key={d.id}
                data-testid="local-device-row"
                data-device-id={d.id}
                bg={selected.has(d.id) ? 'var(--mantine-primary-color-light)' : undefined}
              >
                <Table.Td>
                  <Checkbox
                    aria-label={`Select ${d.name || d.id}`}
                    checked={selected.has(d.id)}
                    onChange={(e) => onToggle(d.id, e.currentTarget.checked)}
                    data-testid="local-device-select"
                  />
                </Table.Td>
                <Table.Td>
                  <Stack gap={0}>
                    <Text size="sm">{d.name || '(unnamed)'}</Text>
                    <Text size="xs" c="dimmed">
                      <Code>{d.id}</Code>
                    </Text>
                    {(d.manufacturer || d.model) && (
                      <Text size="xs" c="dimmed">
                        {[d.manufacturer, d.model].filter(Boolean).join(' ')}
                      </Text>
                    )}
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <Badge
                    color={OWNERSHIP_COLOR[d.ownershipStatus]}
                    variant="light"
                    miw="max-content"
                    data-testid="local-device-ownership"
                  >
                    {d.ownershipStatus.toLowerCase()}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="xs" style={{ wordBreak: 'break-word' }}>
                    {d.types.join(', ')}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="xs" ff="monospace" style={{ wordBreak: 'break-all' }}>
                    {d.endpoints.join(' ')}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {devices.length > MAX_DISCOVERED_ROWS && (
        <Text size="sm" c="dimmed">
          Showing {MAX_DISCOVERED_ROWS} of {devices.length}; narrow the discovery by address, type
          or ownership.
        </Text>
      )}
    </>
  )
}
