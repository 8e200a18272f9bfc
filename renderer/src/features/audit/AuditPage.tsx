import {
  Alert,
  Button,
  Code,
  EmptyState,
  Group,
  Loader,
  Pagination,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { useState } from 'react'
import type { AuditVerification } from '../../../../shared/contract/index'
import { LoadFailed } from '../../components/LoadFailed'
import { formatTime } from '../../lib/format'
import { downloadText } from '../../lib/download'
import { actionText, AUDIT_ACTION_PREFIXES, auditSummary } from './audit-text'
import { useAuditPage, useExportAudit, useVerifyAudit } from './queries'

export const AUDIT_PAGE_SIZE = 50
export const AUDIT_EXPORT_FILENAME = 'plgd-m2m-console-audit.jsonl'

export function AuditPage() {
  const [page, setPage] = useState(1)
  const [action, setAction] = useState<string | null>(null)
  const [actor, setActor] = useState('')
  const [subject, setSubject] = useState('')
  const [search, setSearch] = useState('')
  const [debouncedActor] = useDebouncedValue(actor.trim(), 300)
  const [debouncedSubject] = useDebouncedValue(subject.trim(), 300)
  const [debouncedSearch] = useDebouncedValue(search.trim(), 300)
  const audit = useAuditPage({
    offset: (page - 1) * AUDIT_PAGE_SIZE,
    limit: AUDIT_PAGE_SIZE,
    action: action ?? undefined,
    actor: debouncedActor || undefined,
    subject: debouncedSubject || undefined,
    search: debouncedSearch || undefined,
  })
  const filtered = action !== null || [actor, subject, search].some((v) => v.trim() !== '')
  // A new filter starts again at the first page.
  const refilter =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v)
      setPage(1)
    }
  const verify = useVerifyAudit()
  const exportLog = useExportAudit()
  const items = audit.data?.items ?? []
  const total = audit.data?.total ?? 0
  const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE))

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Audit log</Title>
        <Group>
          <Button
            variant="light"
            onClick={() => verify.mutate()}
            loading={verify.isPending}
            data-testid="audit-verify"
          >
            Verify chain
          </Button>
          <Button
            variant="default"
            disabled={total === 0}
            loading={exportLog.isPending}
            onClick={() =>
              exportLog.mutate(undefined, {
                onSuccess: ({ jsonl }) =>
                  downloadText(AUDIT_EXPORT_FILENAME, jsonl, 'application/x-ndjson'),
              })
            }
            data-testid="audit-export"
          >
            Export JSON Lines
          </Button>
        </Group>
      </Group>
      <Text size="sm" c="dimmed">
        Every change is appended with a hash of its predecessor; verifying recomputes the chain.
      </Text>
      {verify.data && <VerificationResult result={verify.data} />}
      <Group align="flex-end" wrap="wrap" data-testid="audit-filters">
        <TextInput
          label="Search"
          placeholder="any text: action, actor, subject, details"
          value={search}
          onChange={(e) => refilter(setSearch)(e.currentTarget.value)}
          style={{ flex: 1, minWidth: 200 }}
          data-testid="audit-search"
        />
        <Select
          label="Action"
          placeholder="All actions"
          clearable
          data={AUDIT_ACTION_PREFIXES.map((p) => ({ value: p, label: `${p}*` }))}
          value={action}
          onChange={refilter(setAction)}
          w={180}
          data-testid="audit-filter-action"
        />
        <TextInput
          label="Actor"
          placeholder="console, cli…"
          value={actor}
          onChange={(e) => refilter(setActor)(e.currentTarget.value)}
          w={150}
          data-testid="audit-filter-actor"
        />
        <TextInput
          label="Subject"
          placeholder="client id, kid, jti…"
          value={subject}
          onChange={(e) => refilter(setSubject)(e.currentTarget.value)}
          w={180}
          data-testid="audit-filter-subject"
        />
      </Group>
      <Text size="sm" c="dimmed" data-testid="audit-total" data-total={total}>
        {total === 1 ? '1 entry' : `${total} entries`}
        {filtered ? ' match' : ''}
      </Text>

      {audit.isPending ? (
        <Loader aria-label="Loading the audit log" />
      ) : audit.isError && !audit.data ? (
        <LoadFailed what="the audit log" onRetry={() => void audit.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState
          title={filtered ? 'No entry matches' : 'The audit log is empty'}
          description={
            filtered
              ? 'Change the filters to see more.'
              : 'Setup, clients, tokens and key changes are recorded here.'
          }
          data-testid="audit-empty"
        />
      ) : (
        <Table.ScrollContainer minWidth={800}>
          <Table striped data-testid="audit-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Seq</Table.Th>
                <Table.Th>Time</Table.Th>
                <Table.Th>Actor</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>Subject</Table.Th>
                <Table.Th>Details</Table.Th>
                <Table.Th>Hash</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((e) => (
                <Table.Tr key={e.seq} data-testid={`audit-row-${e.seq}`}>
                  <Table.Td>{e.seq}</Table.Td>
                  <Table.Td>
                    <Text size="sm" data-testid={`audit-time-${e.seq}`}>
                      {formatTime(e.at)}
                    </Text>
                    <Text size="xs" c="dimmed" ff="monospace">
                      {e.at}
                    </Text>
                  </Table.Td>
                  <Table.Td>{e.actor}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{actionText(e.action)}</Text>
                    <Code>{e.action}</Code>
                  </Table.Td>
                  <Table.Td style={{ wordBreak: 'break-all' }}>{e.subject}</Table.Td>
                  <Table.Td>
                    <Text size="sm" data-testid={`audit-summary-${e.seq}`}>
                      {auditSummary(e)}
                    </Text>
                    <Text size="xs" c="dimmed" ff="monospace" style={{ wordBreak: 'break-all' }}>
                      {Object.keys(e.details).length ? JSON.stringify(e.details) : '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Code title={e.hash}>{e.hash.slice(0, 12)}…</Code>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {pages > 1 && (
        <Pagination total={pages} value={page} onChange={setPage} data-testid="audit-pagination" />
      )}
    </Stack>
  )
}

function VerificationResult({ result }: { result: AuditVerification }) {
  return result.ok ? (
    <Alert color="green" title="Chain intact" data-testid="audit-verify-result" data-ok>
      All {result.entries} entries follow from their predecessors.
    </Alert>
  ) : (
    <Alert
      color="red"
      title={`Chain broken at seq ${result.brokenAt ?? '?'}`}
      data-testid="audit-verify-result"
      data-broken-at={result.brokenAt}
    >
      Entry {result.brokenAt ?? '?'} does not follow from the one before it: the log was altered
      from there on ({result.entries} entries checked).
    </Alert>
  )
}
