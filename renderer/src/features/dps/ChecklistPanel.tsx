import { Alert, Badge, Code, Group, Loader, Stack, Text, TextInput } from '@mantine/core'
import { useState } from 'react'
import type { ChecklistItem } from '../../../../shared/contract/index'
import { CopyButton } from '../../components/CopyButton'
import { useDpsChecklist } from './queries'

/** An unknown state names who acts: only the hub admin's steps are theirs. */
function stateBadge(item: ChecklistItem): { color: string; label: string } {
  if (item.done === true) return { color: 'green', label: 'done' }
  if (item.done === false) return { color: 'red', label: 'to do' }
  return item.actor === 'hub-admin'
    ? { color: 'gray', label: 'hub admin' }
    : { color: 'blue', label: 'not checked here' }
}

/** The operator checklist of interop §3.6, with the YAML the hub admin must add. */
export function ChecklistPanel({ hub }: { hub: string | null }) {
  const [clientId, setClientId] = useState('dps')
  const checklist = useDpsChecklist(hub, clientId)
  if (!hub) return <Text c="dimmed">Choose a hub first.</Text>
  return (
    <Stack data-testid="dps-checklist">
      <TextInput
        label="DPS client"
        value={clientId}
        onChange={(e) => setClientId(e.currentTarget.value)}
        maw={320}
        data-testid="dps-checklist-client"
      />
      {checklist.isPending ? <Loader aria-label="Loading the checklist" /> : null}
      {checklist.error ? <Alert color="red">{checklist.error.message}</Alert> : null}
      {checklist.data?.items.map((item) => {
        const done = stateBadge(item)
        return (
          <Stack key={item.id} gap={4} data-testid={`dps-checklist-${item.id}`}>
            <Group gap="xs">
              <Badge color={done.color} variant="light">
                {done.label}
              </Badge>
              <Text fw={600}>{item.title}</Text>
            </Group>
            <Text size="sm">{item.detail}</Text>
            {item.snippet ? (
              <Stack gap={2}>
                <Group justify="flex-end">
                  <CopyButton value={item.snippet} label={`Copy the YAML for ${item.title}`} />
                </Group>
                <Code block>{item.snippet}</Code>
              </Stack>
            ) : null}
          </Stack>
        )
      })}
    </Stack>
  )
}
