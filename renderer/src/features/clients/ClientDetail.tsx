import {
  Anchor,
  Badge,
  Button,
  Card,
  Code,
  Group,
  Loader,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core'
import { useState, type ReactNode } from 'react'
import type { ClientView } from '../../../../shared/contract/index'
import { JsonBlock } from '../../components/JsonBlock'
import { LoadFailed } from '../../components/LoadFailed'
import { formatDuration, formatTime } from '../../lib/format'
import { pageHref } from '../../shell/routes'
import { ClientExportButton } from '../exports/ClientExportButton'
import { authLabel, type SecretReveal } from './client-form'
import { useClient, useEndGrace, useSetClientDisabled } from './queries'
import { DeleteClientDialog } from './DeleteClientDialog'
import { DisableClientDialog } from './DisableClientDialog'
import { EditClientDialog } from './EditClientDialog'
import { RotateSecretDialog } from './RotateSecretDialog'
import { TestCredentialsDialog } from './TestCredentialsDialog'

interface ClientDetailProps {
  id: string
  onSecret: (reveal: SecretReveal) => void
}

export function ClientDetail({ id, onSecret }: ClientDetailProps) {
  const client = useClient(id)
  return (
    <Stack data-testid="client-detail">
      <Anchor href={pageHref('clients')} data-testid="client-detail-back">
        ← All clients
      </Anchor>
      {client.isPending ? (
        <Loader aria-label="Loading client" />
      ) : client.data ? (
        <ClientDetailView client={client.data} onSecret={onSecret} />
      ) : (
        <LoadFailed what={`client ${id}`} onRetry={() => void client.refetch()} />
      )}
    </Stack>
  )
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th scope="row" w={200}>
        {label}
      </Table.Th>
      <Table.Td>{children}</Table.Td>
    </Table.Tr>
  )
}

function List({ items, empty }: { items: string[]; empty: string }) {
  if (items.length === 0)
    return (
      <Text span size="sm" c="dimmed">
        {empty}
      </Text>
    )
  return (
    <Group gap={4}>
      {items.map((item) => (
        <Code key={item}>{item}</Code>
      ))}
    </Group>
  )
}

function ClientDetailView({
  client,
  onSecret,
}: {
  client: ClientView
  onSecret: ClientDetailProps['onSecret']
}) {
  const setDisabled = useSetClientDisabled()
  const endGrace = useEndGrace()
  const [rotating, setRotating] = useState(false)
  const [deleting, setDeleting] = useState(false)
  const [editing, setEditing] = useState(false)
  const [disabling, setDisabling] = useState(false)
  const [testing, setTesting] = useState(false)
  const { auth } = client
  const inGrace = client.secrets.some((s) => s.expiresAt !== null)

  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={2}>{client.id}</Title>
          <Badge
            color={client.disabled ? 'gray' : 'green'}
            variant="light"
            data-testid="client-status"
          >
            {client.disabled ? 'disabled' : 'enabled'}
          </Badge>
        </Group>
        <Group>
          <Button variant="light" onClick={() => setEditing(true)} data-testid="edit-client-button">
            Edit
          </Button>
          <Button
            variant="light"
            onClick={() => setTesting(true)}
            data-testid="test-credentials-button"
          >
            Test credentials
          </Button>
          <ClientExportButton clientId={client.id} authMethod={auth.method} />
          {auth.method === 'client_secret' && (
            <Button
              variant="light"
              onClick={() => setRotating(true)}
              data-testid="rotate-secret-button"
            >
              Rotate secret
            </Button>
          )}
          <Button
            variant="light"
            color={client.disabled ? 'green' : 'orange'}
            loading={setDisabled.isPending}
            onClick={() =>
              client.disabled
                ? setDisabled.mutate({ id: client.id, disabled: false })
                : setDisabling(true)
            }
            data-testid="toggle-disabled-button"
          >
            {client.disabled ? 'Enable' : 'Disable'}
          </Button>
          <Button
            color="red"
            variant="light"
            onClick={() => setDeleting(true)}
            data-testid="delete-client-button"
          >
            Delete
          </Button>
        </Group>
      </Group>

      <Card withBorder>
        <Table>
          <Table.Tbody>
            <Row label="Owner">
              {client.owner ? (
                <Code>{client.owner}</Code>
              ) : (
                <Text span size="sm" c="dimmed">
                  named by each user assertion
                </Text>
              )}
            </Row>
            <Row label="Other allowed owners">
              <List items={client.allowedOwners} empty="none" />
            </Row>
            <Row label="Audiences">
              <List items={client.audiences} empty="none (tokens carry no aud)" />
            </Row>
            <Row label="Scopes">
              <List items={client.scopes} empty="none" />
            </Row>
            <Row label="Max token lifetime">
              {client.maxLifetimeSeconds} s ({formatDuration(client.maxLifetimeSeconds)})
            </Row>
            <Row label="Device id claim">{client.allowDeviceId ? 'allowed' : 'not allowed'}</Row>
            <Row label="Token type">{client.tokenType}</Row>
            <Row label="Authentication">
              <Stack gap={4}>
                <Text size="sm">{authLabel(client)}</Text>
                {auth.method === 'private_key_jwt' && auth.jwksUri && <Code>{auth.jwksUri}</Code>}
                {auth.method === 'private_key_jwt' && auth.jwks && (
                  <Text size="sm" c="dimmed">
                    {auth.jwks.keys.length} public key(s) registered
                  </Text>
                )}
                {auth.method === 'user_assertion' &&
                  auth.authorities.map((a) => (
                    <Text key={a.authority} size="sm">
                      <Code>{a.authority}</Code>
                      {a.caPem ? ' (own CA)' : ''}
                    </Text>
                  ))}
              </Stack>
            </Row>
            <Row label="Extra claims">
              {Object.keys(client.extraClaims).length === 0 ? (
                <Text span size="sm" c="dimmed">
                  none
                </Text>
              ) : (
                <JsonBlock value={client.extraClaims} />
              )}
            </Row>
            <Row label="Created">{formatTime(client.createdAt)}</Row>
            <Row label="Updated">{formatTime(client.updatedAt)}</Row>
          </Table.Tbody>
        </Table>
      </Card>

      {auth.method === 'client_secret' && (
        <Card withBorder data-testid="client-secrets">
          <Group justify="space-between" mb="xs">
            <Title order={3} size="h4">
              {client.disabled ? 'Secrets (unusable while disabled)' : 'Valid secrets'}
            </Title>
            {inGrace && (
              <Button
                size="compact-sm"
                variant="light"
                color="orange"
                loading={endGrace.isPending}
                onClick={() => endGrace.mutate({ id: client.id })}
                data-testid="end-grace-button"
              >
                End grace period now
              </Button>
            )}
          </Group>
          {client.disabled && (
            <Text size="sm" c="dimmed" mb="xs" data-testid="client-secrets-disabled">
              The client is disabled: no secret gets a token until it is enabled again.
            </Text>
          )}
          {client.secrets.length === 0 ? (
            <Text size="sm" c="dimmed">
              No secret works right now: rotate to issue a new one.
            </Text>
          ) : (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Fingerprint</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Valid until</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {client.secrets.map((s) => (
                  <Table.Tr key={`${s.createdAt}-${s.fingerprint ?? ''}`} data-testid="secret-row">
                    <Table.Td>
                      <Code data-testid="secret-fingerprint">{s.fingerprint ?? '—'}</Code>
                    </Table.Td>
                    <Table.Td>{formatTime(s.createdAt)}</Table.Td>
                    <Table.Td data-testid="secret-valid-until">
                      {client.disabled
                        ? 'not usable: client disabled'
                        : s.expiresAt === null
                          ? 'current'
                          : `grace until ${formatTime(s.expiresAt)}`}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
      )}

      <RotateSecretDialog
        opened={rotating}
        clientId={client.id}
        onClose={() => setRotating(false)}
        onRotated={(secret) => {
          setRotating(false)
          onSecret({ clientId: client.id, secret, title: `New secret for ${client.id}` })
        }}
      />
      <EditClientDialog opened={editing} client={client} onClose={() => setEditing(false)} />
      <DisableClientDialog
        opened={disabling}
        clientId={client.id}
        onClose={() => setDisabling(false)}
      />
      <TestCredentialsDialog
        opened={testing}
        clientId={client.id}
        onClose={() => setTesting(false)}
      />
      <DeleteClientDialog
        opened={deleting}
        clientId={client.id}
        onClose={() => setDeleting(false)}
      />
    </Stack>
  )
}
