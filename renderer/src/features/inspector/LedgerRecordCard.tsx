import { Alert, Badge, Card, Group, Loader, Stack, Table, Text, Title } from '@mantine/core'
import { formatTime } from '../../lib/format'
import { useNowSeconds } from '../../lib/use-now'
import { LAPTOP_REVOKED_VERDICT, type IssuerMode } from '../status/issuer-mode'
import { useTokenPage } from '../tokens/queries'
import { STATE_COLORS, tokenState } from '../tokens/token-state'

/**
 * The ledger's record of one token, opened from the Tokens page (`#/inspector/<jti>`). The
 * ledger keeps records, not tokens: the signature check needs the token pasted above.
 */
export function LedgerRecordCard({ jti, mode }: { jti: string; mode: IssuerMode | null }) {
  const now = useNowSeconds(5000)
  const page = useTokenPage({ search: jti, status: 'all', offset: 0, limit: 5 })
  const record = page.data?.items.find((t) => t.id === jti)
  const state = record ? tokenState(record, now) : null
  return (
    <Card withBorder data-testid="inspector-ledger-record" data-state={state ?? 'unknown'}>
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h5">
          Ledger record {jti}
        </Title>
        {state && (
          <Badge color={STATE_COLORS[state]} variant="light">
            {state}
          </Badge>
        )}
      </Group>
      {page.isPending ? (
        <Loader size="sm" aria-label="Loading the ledger record" />
      ) : !record ? (
        <Text size="sm" c="dimmed">
          No token with this id is in the ledger (expired records are purged after the ledger
          retention).
        </Text>
      ) : (
        <Stack gap="xs">
          <Table>
            <Table.Tbody>
              <Row label="Name" value={record.name || '—'} />
              <Row label="Client" value={record.clientId} />
              <Row label="Owner" value={record.owner} />
              <Row label="Issued" value={`${formatTime(record.issuedAt)} (${record.issuedAt})`} />
              <Row
                label="Expires"
                value={
                  record.expiration > 0
                    ? `${formatTime(record.expiration)} (${record.expiration})`
                    : 'never'
                }
              />
              {record.blacklisted && (
                <Row label="Revoked" value={formatTime(record.blacklisted.timestamp)} />
              )}
            </Table.Tbody>
          </Table>
          {state === 'revoked' && mode === 'laptop' && (
            <Alert color="yellow" data-testid="inspector-ledger-revoked-unseen">
              {LAPTOP_REVOKED_VERDICT}.
            </Alert>
          )}
          <Text size="sm" c="dimmed">
            The ledger keeps the record, not the token: paste the token above to check its signature
            and what a hub makes of it.
          </Text>
        </Stack>
      )}
    </Card>
  )
}

function Row({ label, value }: { label: string; value: string }) {
  return (
    <Table.Tr>
      <Table.Th scope="row" w={120}>
        {label}
      </Table.Th>
      <Table.Td style={{ wordBreak: 'break-all' }}>{value}</Table.Td>
    </Table.Tr>
  )
}
