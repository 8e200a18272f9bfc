import {
  Anchor,
  Badge,
  Button,
  EmptyState,
  Group,
  Loader,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { useState } from 'react'
import { TestCredentialsDialog } from './TestCredentialsDialog'
import type { ClientView, ClientWithSecret } from '../../../../shared/contract/index'
import { LoadFailed } from '../../components/LoadFailed'
import { SecretOnceDialog } from '../../components/SecretOnceDialog'
import { ExportDialog } from '../exports/ExportDialog'
import { formatDuration } from '../../lib/format'
import { notify } from '../../lib/notify'
import { pageHref, useRoute } from '../../shell/routes'
import { authLabel, type SecretReveal } from './client-form'
import { ClientDetail } from './ClientDetail'
import { CreateClientDialog } from './CreateClientDialog'
import { useClients } from './queries'

/** Above the one-time secret dialog (Mantine modals sit at 200). */
const SECRET_EXPORT_Z_INDEX = 300

export function ClientsPage() {
  const { param: selectedId } = useRoute()
  const [reveal, setReveal] = useState<SecretReveal | null>(null)
  const [exporting, setExporting] = useState(false)

  return (
    <>
      {selectedId ? (
        <ClientDetail id={selectedId} onSecret={setReveal} />
      ) : (
        <ClientList onSecret={setReveal} />
      )}
      {reveal && (
        <SecretOnceDialog
          key={reveal.clientId + reveal.secret}
          clientId={reveal.clientId}
          secret={reveal.secret}
          title={reveal.title}
          onDone={() => {
            setExporting(false)
            setReveal(null)
          }}
          onExport={() => setExporting(true)}
        />
      )}
      {reveal && (
        // A sibling, not a child: the secret lives only as long as the reveal does.
        <ExportDialog
          opened={exporting}
          onClose={() => setExporting(false)}
          title={`Export ${reveal.clientId} with its new secret`}
          target={{ kind: 'client', id: reveal.clientId, secret: reveal.secret }}
          intro={
            <Text size="sm">
              This export holds the secret just shown: the only time it can be exported. Later
              exports of {reveal.clientId} are redacted.
            </Text>
          }
          zIndex={SECRET_EXPORT_Z_INDEX}
        />
      )}
    </>
  )
}

function matches(client: ClientView, query: string): boolean {
  const q = query.trim().toLowerCase()
  if (!q) return true
  return [client.id, client.owner, ...client.allowedOwners].some((v) => v.toLowerCase().includes(q))
}

function ClientList({ onSecret }: { onSecret: (reveal: SecretReveal) => void }) {
  const clients = useClients()
  const [query, setQuery] = useState('')
  const [creating, setCreating] = useState(false)
  const [testing, setTesting] = useState(false)

  const onCreated = ({ client, clientSecret }: ClientWithSecret) => {
    setCreating(false)
    if (clientSecret) {
      onSecret({ clientId: client.id, secret: clientSecret, title: `Client ${client.id} created` })
    } else {
      notify.success(`Client ${client.id} created; it authenticates with ${authLabel(client)}`)
    }
  }

  const list = clients.data ?? []
  const shown = list.filter((c) => matches(c, query))

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Clients</Title>
        <Group gap="xs">
          <Button
            variant="light"
            onClick={() => setTesting(true)}
            data-testid="clients-test-credentials-button"
          >
            Test credentials
          </Button>
          <Button onClick={() => setCreating(true)} data-testid="create-client-button">
            Create client
          </Button>
        </Group>
      </Group>
      <TestCredentialsDialog opened={testing} clientId="" onClose={() => setTesting(false)} />
      <TextInput
        label="Search"
        placeholder="Filter by id or owner"
        value={query}
        onChange={(e) => setQuery(e.currentTarget.value)}
        data-testid="clients-search"
      />
      {clients.isPending ? (
        <Loader aria-label="Loading clients" />
      ) : clients.isError && !clients.data ? (
        <LoadFailed what="clients" onRetry={() => void clients.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState
          title="No clients yet"
          description="A client is a device, a DPS or a service that gets tokens from this issuer."
          data-testid="clients-empty"
        >
          <EmptyState.Actions>
            <Button variant="light" onClick={() => setCreating(true)}>
              Create the first client
            </Button>
          </EmptyState.Actions>
        </EmptyState>
      ) : shown.length === 0 ? (
        <EmptyState
          title="No client matches"
          description={`Nothing with “${query.trim()}” in its id or owner.`}
          data-testid="clients-no-match"
        />
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table striped highlightOnHover data-testid="clients-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Client id</Table.Th>
                <Table.Th>Owner</Table.Th>
                <Table.Th>Authentication</Table.Th>
                <Table.Th>Token type</Table.Th>
                <Table.Th>Max lifetime</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((c) => (
                <Table.Tr key={c.id} data-testid={`client-row-${c.id}`}>
                  <Table.Td>
                    <Anchor href={pageHref('clients', c.id)} data-testid={`client-open-${c.id}`}>
                      {c.id}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    {c.owner || (
                      <Text span size="sm" c="dimmed">
                        from the assertion
                      </Text>
                    )}
                    {c.allowedOwners.length > 0 && (
                      <Text span size="xs" c="dimmed">
                        {' '}
                        +{c.allowedOwners.length}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{authLabel(c)}</Table.Td>
                  <Table.Td>{c.tokenType}</Table.Td>
                  <Table.Td>{formatDuration(c.maxLifetimeSeconds)}</Table.Td>
                  <Table.Td>
                    <Badge color={c.disabled ? 'gray' : 'green'} variant="light">
                      {c.disabled ? 'disabled' : 'enabled'}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <CreateClientDialog
        opened={creating}
        onClose={() => setCreating(false)}
        onCreated={onCreated}
      />
    </Stack>
  )
}
