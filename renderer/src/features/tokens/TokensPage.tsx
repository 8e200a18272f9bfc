import {
  Badge,
  Button,
  Checkbox,
  Code,
  EmptyState,
  Group,
  Loader,
  Pagination,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { memo, useCallback, useState } from 'react'
import type { TokenRecordView } from '../../../../shared/contract/index'
import {
  TOKEN_STATUS_FILTERS,
  type TokenState,
  type TokenStatusFilter,
} from '../../../../shared/enums'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { LoadFailed } from '../../components/LoadFailed'
import { formatTime } from '../../lib/format'
import { useNowSeconds } from '../../lib/use-now'
import { pageHref } from '../../shell/routes'
import { useClients } from '../clients/queries'
import { issuerMode, revocationEffect } from '../status/issuer-mode'
import { useStatus } from '../status/queries'
import { IssueTokenDialog } from './IssueTokenDialog'
import { useRevokeTokens, useTokenPage, type TokenFilters } from './queries'
import { STATE_COLORS, tokenState } from './token-state'

export const LEDGER_PAGE_SIZE = 25
const STATUSES = TOKEN_STATUS_FILTERS
type StatusFilter = TokenStatusFilter

export { tokenState } from './token-state'

export function TokensPage() {
  const [issuing, setIssuing] = useState(false)
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Tokens</Title>
        <Button onClick={() => setIssuing(true)} data-testid="issue-token-button">
          Issue token
        </Button>
      </Group>
      <TokenLedger />
      <IssueTokenDialog opened={issuing} onClose={() => setIssuing(false)} />
    </Stack>
  )
}

function TokenLedger() {
  const clients = useClients()
  const [clientId, setClientId] = useState<string | null>(null)
  const [status, setStatus] = useState<StatusFilter>('all')
  const [search, setSearch] = useState('')
  const [debouncedSearch] = useDebouncedValue(search.trim(), 300)
  const [page, setPage] = useState(1)
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set())
  const [revoking, setRevoking] = useState<string[] | null>(null)
  const revoke = useRevokeTokens()
  const now = useNowSeconds(5000)
  const issuerStatus = useStatus()
  const mode = issuerStatus.data ? issuerMode(issuerStatus.data) : 'laptop'

  const filters: TokenFilters = {
    clientId: clientId ?? undefined,
    status,
    search: debouncedSearch || undefined,
    offset: (page - 1) * LEDGER_PAGE_SIZE,
    limit: LEDGER_PAGE_SIZE,
  }
  const ledger = useTokenPage(filters)
  const items = ledger.data?.items ?? []
  const total = ledger.data?.total ?? 0
  const pages = Math.max(1, Math.ceil(total / LEDGER_PAGE_SIZE))

  // Any change of what is listed starts again at page 1 with nothing selected.
  const refilter =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v)
      setPage(1)
      setSelected(new Set())
    }

  // An expired token is refused everywhere already: revoking it would change nothing.
  const revocable = items.filter((t) => tokenState(t, now) === 'active')
  const allSelected = revocable.length > 0 && revocable.every((t) => selected.has(t.id))
  // Stable, so that memoised rows are not redrawn for a new function each render.
  const toggle = useCallback(
    (id: string, on: boolean) =>
      setSelected((prev) => {
        const next = new Set(prev)
        if (on) next.add(id)
        else next.delete(id)
        return next
      }),
    [],
  )
  const revokeOne = useCallback((id: string) => setRevoking([id]), [])

  const confirmRevoke = () => {
    if (!revoking) return
    revoke.mutate(
      { ids: revoking },
      {
        onSuccess: () => {
          setSelected((prev) => new Set([...prev].filter((id) => !revoking.includes(id))))
          setRevoking(null)
        },
      },
    )
  }

  const filtered = clientId !== null || status !== 'all' || debouncedSearch !== ''

  return (
    <Stack>
      <Group align="flex-end" wrap="wrap">
        <Select
          label="Client"
          placeholder="All clients"
          clearable
          searchable
          data={(clients.data ?? []).map((c) => c.id)}
          value={clientId}
          onChange={refilter(setClientId)}
          w={220}
          data-testid="ledger-filter-client"
        />
        <div>
          <Text size="sm" fw={500} mb={4} id="ledger-status-label">
            Status
          </Text>
          <SegmentedControl
            aria-labelledby="ledger-status-label"
            data={STATUSES.map((s) => ({ value: s, label: s }))}
            value={status}
            onChange={refilter((v: string) => setStatus(v as StatusFilter))}
            data-testid="ledger-filter-status"
          />
        </div>
        <TextInput
          label="Search"
          placeholder="id, name, client or owner"
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value)
            setPage(1)
            setSelected(new Set())
          }}
          style={{ flex: 1, minWidth: 200 }}
          data-testid="ledger-search"
        />
      </Group>

      <Group justify="space-between">
        <Text size="sm" c="dimmed" data-testid="ledger-total" data-total={total}>
          {total === 1 ? '1 token' : `${total} tokens`}
          {filtered ? ' match' : ' in the ledger'}
        </Text>
        <Button
          color="red"
          variant="light"
          disabled={selected.size === 0}
          onClick={() => setRevoking([...selected])}
          data-testid="revoke-selected"
        >
          Revoke selected ({selected.size})
        </Button>
      </Group>

      {ledger.isPending ? (
        <Loader aria-label="Loading tokens" />
      ) : ledger.isError && !ledger.data ? (
        <LoadFailed what="the token ledger" onRetry={() => void ledger.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState
          title={filtered ? 'No token matches' : 'No tokens issued yet'}
          description={
            filtered
              ? 'Change the filters to see more.'
              : 'Tokens minted here or at the token endpoint are listed in this ledger.'
          }
          data-testid="ledger-empty"
        />
      ) : (
        <Table.ScrollContainer minWidth={800}>
          <Table striped highlightOnHover data-testid="ledger-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={40}>
                  <Checkbox
                    aria-label="Select all revocable tokens on this page"
                    checked={allSelected}
                    indeterminate={!allSelected && revocable.some((t) => selected.has(t.id))}
                    disabled={revocable.length === 0}
                    onChange={(e) => {
                      const on = e.currentTarget.checked
                      setSelected((prev) => {
                        const next = new Set(prev)
                        for (const t of revocable) {
                          if (on) next.add(t.id)
                          else next.delete(t.id)
                        }
                        return next
                      })
                    }}
                    data-testid="ledger-select-all"
                  />
                </Table.Th>
                <Table.Th>Token</Table.Th>
                <Table.Th>Client</Table.Th>
                <Table.Th>Owner</Table.Th>
                <Table.Th>Issued</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((t) => (
                <LedgerRow
                  key={t.id}
                  token={t}
                  state={tokenState(t, now)}
                  checked={selected.has(t.id)}
                  onToggle={toggle}
                  onRevoke={revokeOne}
                />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}

      {pages > 1 && (
        <Pagination
          total={pages}
          value={page}
          onChange={(p) => {
            setPage(p)
            setSelected(new Set())
          }}
          data-testid="ledger-pagination"
        />
      )}

      <ConfirmDialog
        opened={revoking !== null}
        title={
          revoking?.length === 1 ? 'Revoke this token?' : `Revoke ${revoking?.length ?? 0} tokens?`
        }
        confirmLabel="Revoke"
        loading={revoke.isPending}
        onClose={() => setRevoking(null)}
        onConfirm={confirmRevoke}
        testId="revoke-dialog"
      >
        <Text size="sm" data-testid="revoke-effect" data-mode={mode}>
          {revocationEffect(mode)}
        </Text>
      </ConfirmDialog>
    </Stack>
  )
}

interface LedgerRowProps {
  token: TokenRecordView
  state: TokenState
  checked: boolean
  onToggle: (id: string, on: boolean) => void
  onRevoke: (id: string) => void
}

/**
 * One ledger row, redrawn only when what it shows changes: a refresh that brings one new token
 * redraws one row, not the page (the ledger refreshes behind the issue dialog).
 */
const LedgerRow = memo(function LedgerRow({
  token: t,
  state,
  checked,
  onToggle,
  onRevoke,
}: LedgerRowProps) {
  return (
    <Table.Tr data-testid={`ledger-row-${t.id}`} data-state={state}>
      <Table.Td>
        <Checkbox
          aria-label={`Select token ${t.name || t.id}`}
          checked={checked}
          disabled={state !== 'active'}
          onChange={(e) => onToggle(t.id, e.currentTarget.checked)}
          data-testid={`ledger-select-${t.id}`}
        />
      </Table.Td>
      <Table.Td>
        <Stack gap={0}>
          {t.name && <Text size="sm">{t.name}</Text>}
          <Code style={{ fontSize: 11 }}>{t.id}</Code>
        </Stack>
      </Table.Td>
      <Table.Td>{t.clientId}</Table.Td>
      <Table.Td>{t.owner}</Table.Td>
      <Table.Td>{formatTime(t.issuedAt)}</Table.Td>
      <Table.Td>{t.expiration > 0 ? formatTime(t.expiration) : 'never'}</Table.Td>
      <Table.Td>
        <Badge color={STATE_COLORS[state]} variant="light">
          {state}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          <Button
            size="xs"
            variant="subtle"
            component="a"
            href={pageHref('inspector', t.id)}
            aria-label={`Inspect token ${t.name || t.id}`}
            data-testid={`inspect-token-${t.id}`}
          >
            Inspect
          </Button>
          {state === 'active' && (
            <Button
              size="xs"
              color="red"
              variant="subtle"
              onClick={() => onRevoke(t.id)}
              aria-label={`Revoke token ${t.name || t.id}`}
              data-testid={`revoke-token-${t.id}`}
            >
              Revoke
            </Button>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  )
}, sameRow)

/** A refetched record is a new object; of what a row shows, only blacklisting ever changes. */
function sameRow(a: LedgerRowProps, b: LedgerRowProps): boolean {
  return (
    a.token.id === b.token.id &&
    a.token.blacklisted?.timestamp === b.token.blacklisted?.timestamp &&
    a.state === b.state &&
    a.checked === b.checked &&
    a.onToggle === b.onToggle &&
    a.onRevoke === b.onRevoke
  )
}
