import { Accordion, Badge, Button, Group, Loader, Stack, Text, Title } from '@mantine/core'
import { EmptyState } from '@mantine/core'
import { useState } from 'react'
import type { HubView } from '../../../../shared/contract/index'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { LoadFailed } from '../../components/LoadFailed'
import { AddHubDialog } from './AddHubDialog'
import { CheckPanel } from './CheckPanel'
import { HubDetails } from './HubDetails'
import { useHubs, useRemoveHub } from './queries'

/** The hub profiles: add (discovery), overrides, connection check, remove. */
export function HubsPage() {
  const hubs = useHubs()
  const [adding, setAdding] = useState(false)
  const [open, setOpen] = useState<string | null>(null)
  const [removing, setRemoving] = useState<string | null>(null)
  const remove = useRemoveHub()

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Hubs</Title>
        <Button onClick={() => setAdding(true)} data-testid="add-hub-button">
          Add hub
        </Button>
      </Group>
      {hubs.isError ? (
        <LoadFailed what="the hubs" onRetry={() => void hubs.refetch()} />
      ) : !hubs.data ? (
        <Loader aria-label="Loading hubs" />
      ) : hubs.data.length === 0 ? (
        <EmptyState
          title="No hub yet"
          description="Add a plgd hub by its http-gateway URL: the rest is read from the hub."
          data-testid="hubs-empty"
        />
      ) : (
        <Accordion value={open} onChange={setOpen} variant="separated" data-testid="hubs-list">
          {hubs.data.map((hub) => (
            <Accordion.Item key={hub.name} value={hub.name} data-testid={`hub-${hub.name}`}>
              <Accordion.Control>
                <HubSummary hub={hub} />
              </Accordion.Control>
              <Accordion.Panel>
                <Stack>
                  <HubDetails hub={hub} />
                  <CheckPanel hub={hub.name} />
                  <Group justify="flex-end">
                    <Button
                      color="red"
                      variant="light"
                      onClick={() => setRemoving(hub.name)}
                      data-testid="hub-remove"
                    >
                      Remove hub
                    </Button>
                  </Group>
                </Stack>
              </Accordion.Panel>
            </Accordion.Item>
          ))}
        </Accordion>
      )}
      <AddHubDialog
        opened={adding}
        onClose={() => setAdding(false)}
        onAdded={(hub) => {
          setAdding(false)
          setOpen(hub.name)
        }}
      />
      <ConfirmDialog
        opened={removing !== null}
        title={`Remove hub ${removing ?? ''}?`}
        confirmLabel="Remove"
        loading={remove.isPending}
        onClose={() => setRemoving(null)}
        onConfirm={() => {
          if (removing) remove.mutate({ name: removing }, { onSettled: () => setRemoving(null) })
        }}
        testId="remove-hub-dialog"
      >
        <Text size="sm">
          The console forgets this profile and its token. Nothing changes at the hub.
        </Text>
      </ConfirmDialog>
    </Stack>
  )
}

function HubSummary({ hub }: { hub: HubView }) {
  return (
    <Group justify="space-between" wrap="nowrap" pr="sm">
      <Stack gap={0}>
        <Text fw={600}>{hub.name}</Text>
        <Text size="xs" c="dimmed" ff="monospace">
          {hub.url}
        </Text>
      </Stack>
      <Badge variant="light" color={hub.auth.kind === 'client' ? 'blue' : 'grape'}>
        {hub.auth.kind === 'client' ? `client ${hub.auth.clientId}` : 'pasted token'}
      </Badge>
    </Group>
  )
}
