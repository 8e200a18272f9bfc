import {
  Alert,
  Badge,
  Button,
  Code,
  EmptyState,
  Group,
  Loader,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core'
import { useState } from 'react'
import type { ConfigurationView } from '../../../../shared/contract/index'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { formatTime } from '../../lib/format'
import { HubSelect } from '../hubs/HubSelect'
import { useRevokeTokens } from '../tokens/queries'
import { ApplyDialog } from './ApplyDialog'
import { CreateConditionDialog } from './CreateConditionDialog'
import { CreateConfigDialog } from './CreateConfigDialog'
import { useConditions, useConfigs } from './queries'

/** A hub's failure in words: the cause and the fix come from main, shown where they matter. */
function HubFailure({ error, what }: { error: Error; what: string }) {
  return (
    <Alert color="red" title={`Could not read ${what}`} data-testid="hub-failure">
      {error.message}
    </Alert>
  )
}

/** Pre-configuration (snippet-service): configurations, apply on demand, conditions. */
export function ConfigsPage() {
  const [hub, setHub] = useState<string | null>(null)
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Pre-configuration</Title>
        <HubSelect value={hub} onChange={setHub} />
      </Group>
      {hub ? (
        <HubConfigs key={hub} hub={hub} />
      ) : (
        <EmptyState
          title="Choose a hub"
          description="Configurations and conditions live in the hub's snippet-service."
          data-testid="configs-no-hub"
        />
      )}
    </Stack>
  )
}

function HubConfigs({ hub }: { hub: string }) {
  const configs = useConfigs(hub)
  const conditions = useConditions(hub)
  const [creating, setCreating] = useState(false)
  const [applying, setApplying] = useState<ConfigurationView | null>(null)
  const [conditionFor, setConditionFor] = useState<string | null | undefined>(undefined)
  const [revoking, setRevoking] = useState<string | null>(null)
  const revoke = useRevokeTokens()
  const list = configs.data ?? []
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3}>Configurations</Title>
        <Group>
          <Button variant="default" onClick={() => void configs.refetch()}>
            Refresh
          </Button>
          <Button onClick={() => setCreating(true)} data-testid="config-new">
            New configuration
          </Button>
        </Group>
      </Group>
      {configs.isPending ? (
        <Loader aria-label="Loading configurations" />
      ) : configs.isError ? (
        <HubFailure error={configs.error} what="the configurations" />
      ) : list.length === 0 ? (
        <Text c="dimmed" data-testid="configs-empty">
          No configurations at {hub} yet.
        </Text>
      ) : (
        <Table striped data-testid="configs-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Version</Table.Th>
              <Table.Th>Resources</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((c) => (
              <Table.Tr key={c.id} data-testid="config-row">
                <Table.Td>
                  {c.name}
                  <Text size="xs" c="dimmed">
                    <Code>{c.id}</Code>
                  </Text>
                </Table.Td>
                <Table.Td>{c.version}</Table.Td>
                <Table.Td>
                  {c.resources.map((r) => (
                    <Text key={r.href} size="sm" title={JSON.stringify(r.content)}>
                      <Code>{r.href}</Code>{' '}
                      {r.timeToLiveSeconds > 0 ? `(TTL ${r.timeToLiveSeconds} s)` : ''}
                    </Text>
                  ))}
                </Table.Td>
                <Table.Td>{formatTime(c.timestamp)}</Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end">
                    <Button size="xs" onClick={() => setApplying(c)} data-testid="config-apply">
                      Apply to devices
                    </Button>
                    <Button size="xs" variant="default" onClick={() => setConditionFor(c.id)}>
                      Add condition
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}

      <Group justify="space-between" mt="md">
        <Title order={3}>Conditions</Title>
        <Button
          variant="default"
          disabled={list.length === 0}
          onClick={() => setConditionFor(null)}
          data-testid="condition-new"
        >
          New condition
        </Button>
      </Group>
      {conditions.isPending ? (
        <Loader aria-label="Loading conditions" />
      ) : conditions.isError ? (
        <HubFailure error={conditions.error} what="the conditions" />
      ) : conditions.data.length === 0 ? (
        <Text c="dimmed">No conditions: configurations are applied only on demand.</Text>
      ) : (
        <Table striped data-testid="conditions-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Configuration</Table.Th>
              <Table.Th>Filters</Table.Th>
              <Table.Th>Token</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {conditions.data.map((k) => (
              <Table.Tr key={k.id}>
                <Table.Td>
                  {k.name}{' '}
                  <Badge color={k.enabled ? 'green' : 'gray'} variant="light">
                    {k.enabled ? 'enabled' : 'disabled'}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Code>{k.configurationId.slice(0, 8)}</Code>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">
                    {[
                      k.deviceIds.length ? `devices ${k.deviceIds.join(', ')}` : '',
                      k.resourceTypes.length ? `types ${k.resourceTypes.join(', ')}` : '',
                      k.hrefs.length ? `hrefs ${k.hrefs.join(', ')}` : '',
                      k.jq ? `jq ${k.jq}` : '',
                    ]
                      .filter(Boolean)
                      .join('; ') || 'any resource change'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {k.tokenJti ? (
                    <Group gap="xs">
                      <Text size="sm">
                        <Code>{k.tokenJti}</Code>
                        {k.tokenExpiresAt ? ` until ${formatTime(k.tokenExpiresAt)}` : ''}
                      </Text>
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        color="red"
                        onClick={() => setRevoking(k.tokenJti)}
                        data-testid="condition-revoke"
                      >
                        Revoke
                      </Button>
                    </Group>
                  ) : (
                    <Text size="sm" c="dimmed">
                      not minted here
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}

      <ConfirmDialog
        opened={revoking !== null}
        title="Revoke the condition's token?"
        confirmLabel="Revoke"
        loading={revoke.isPending}
        onClose={() => setRevoking(null)}
        onConfirm={() =>
          revoking && revoke.mutate({ ids: [revoking] }, { onSuccess: () => setRevoking(null) })
        }
        testId="revoke-condition-token"
      >
        <Text>
          The hub keeps the condition, but stops applying its configuration once it sees the token
          revoked (a station issuer answers its trust checks; otherwise at the token&apos;s expiry).
          Create a new condition to apply again.
        </Text>
      </ConfirmDialog>
      <CreateConfigDialog hub={hub} opened={creating} onClose={() => setCreating(false)} />
      {applying && (
        <ApplyDialog hub={hub} config={applying} opened onClose={() => setApplying(null)} />
      )}
      {conditionFor !== undefined && (
        <CreateConditionDialog
          hub={hub}
          configs={list}
          defaultConfigId={conditionFor}
          opened
          onClose={() => setConditionFor(undefined)}
        />
      )}
    </Stack>
  )
}
