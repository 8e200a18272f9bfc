import {
  Badge,
  Button,
  Card,
  Code,
  EmptyState,
  Group,
  Loader,
  Stack,
  Table,
  Text,
  Timeline,
  Title,
} from '@mantine/core'
import { useState } from 'react'
import type { KeyView } from '../../../../shared/contract/index'
import type { KeyState } from '../../../../shared/enums'
import { LoadFailed } from '../../components/LoadFailed'
import { formatTime } from '../../lib/format'
import { useNowSeconds } from '../../lib/use-now'
import { ExportKeysDialog, ImportKeyDialog, RotateKeysDialog } from './KeyDialogs'
import { useKeys } from './queries'

const STATE_COLORS: Record<KeyState, string> = { active: 'green', next: 'blue', retiring: 'orange' }

type Dialog = 'rotate' | 'import' | 'export' | null

export function KeysPage() {
  const keys = useKeys()
  const [dialog, setDialog] = useState<Dialog>(null)
  const close = () => setDialog(null)
  const list = keys.data ?? []
  const active = list.find((k) => k.state === 'active')
  const next = list.find((k) => k.state === 'next')

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Signing keys</Title>
        <Group>
          <Button onClick={() => setDialog('rotate')} data-testid="rotate-keys-button">
            Rotate
          </Button>
          <Button
            variant="light"
            onClick={() => setDialog('import')}
            data-testid="import-key-button"
          >
            Import PEM
          </Button>
          <Button
            variant="light"
            onClick={() => setDialog('export')}
            disabled={list.length === 0}
            data-testid="export-keys-button"
          >
            Export public keys
          </Button>
        </Group>
      </Group>
      <Text size="sm" c="dimmed">
        The active key signs tokens; the next key is already published so hubs cache it before it
        signs; a retiring key stays in the JWKS until every token it signed has expired.
      </Text>

      {keys.isPending ? (
        <Loader aria-label="Loading keys" />
      ) : keys.isError && !keys.data ? (
        <LoadFailed what="the keys" onRetry={() => void keys.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState
          title="No signing keys"
          description="Rotate to generate one, or import a PEM key from an existing plgd m2m-oauth-server."
          data-testid="keys-empty"
        />
      ) : (
        <>
          <Table.ScrollContainer minWidth={700}>
            <Table striped data-testid="keys-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Key id</Table.Th>
                  <Table.Th>Algorithm</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th>Origin</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Activated</Table.Th>
                  <Table.Th>Retires at</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((k) => (
                  <Table.Tr key={k.kid} data-testid={`key-row-${k.kid}`} data-state={k.state}>
                    <Table.Td>
                      <Code>{k.kid}</Code>
                    </Table.Td>
                    <Table.Td>{k.alg}</Table.Td>
                    <Table.Td>
                      <Badge
                        color={STATE_COLORS[k.state]}
                        variant="light"
                        data-testid={`key-state-${k.kid}`}
                      >
                        {k.state}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{k.origin}</Table.Td>
                    <Table.Td>{formatTime(k.createdAt)}</Table.Td>
                    <Table.Td>{formatTime(k.activatedAt)}</Table.Td>
                    <Table.Td>{formatTime(k.retireAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <KeyTimeline keys={list} updatedAt={Math.floor(keys.dataUpdatedAt / 1000)} />
        </>
      )}

      <RotateKeysDialog opened={dialog === 'rotate'} onClose={close} current={active} next={next} />
      <ImportKeyDialog opened={dialog === 'import'} onClose={close} />
      <ExportKeysDialog opened={dialog === 'export'} onClose={close} keys={list} />
    </Stack>
  )
}

interface TimelineEvent {
  at: number
  kid: string
  what: string
}

export function keyEvents(keys: KeyView[]): TimelineEvent[] {
  const events: TimelineEvent[] = []
  for (const k of keys) {
    events.push({
      at: k.createdAt,
      kid: k.kid,
      what: `${k.origin === 'imported' ? 'imported' : 'created'} (${k.alg})`,
    })
    if (k.activatedAt !== null) events.push({ at: k.activatedAt, kid: k.kid, what: 'activated' })
    if (k.retireAt !== null) events.push({ at: k.retireAt, kid: k.kid, what: 'leaves the JWKS' })
  }
  return events.sort((a, b) => a.at - b.at)
}

function KeyTimeline({ keys, updatedAt }: { keys: KeyView[]; updatedAt: number }) {
  // The clock ticks once a minute; keys fetched since (a rotation) are at least as new as their
  // fetch, so a key activated a second ago is not drawn as upcoming.
  const now = Math.max(useNowSeconds(60_000), updatedAt)
  const events = keyEvents(keys)
  const lastPast = events.reduce((last, e, i) => (e.at <= now ? i : last), -1)
  return (
    <Card withBorder data-testid="keys-timeline">
      <Title order={3} size="h4" mb="sm">
        Timeline
      </Title>
      <Timeline
        active={lastPast}
        data-testid="keys-timeline-list"
        data-active={lastPast}
        bulletSize={14}
        lineWidth={2}
      >
        {events.map((e) => (
          <Timeline.Item
            key={`${e.kid}-${e.what}`}
            data-testid={`timeline-${e.kid}-${e.what.split(' ')[0]}`}
            data-upcoming={e.at > now}
            title={
              <>
                <Code>{e.kid}</Code> {e.what}
              </>
            }
          >
            <Text size="xs" c="dimmed">
              {formatTime(e.at)}
              {e.at > now ? ' (upcoming)' : ''}
            </Text>
          </Timeline.Item>
        ))}
      </Timeline>
    </Card>
  )
}
