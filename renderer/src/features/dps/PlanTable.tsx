import { Alert, Badge, Code, Stack, Table, Text } from '@mantine/core'
import type { DpsSetupResult, PlanStep } from '../../../../shared/contract/index'

const ACTION_COLOR: Record<PlanStep['action'], string> = {
  create: 'green',
  update: 'yellow',
  'rotate-secret': 'orange',
  unchanged: 'gray',
}

const TARGET_LABEL: Record<PlanStep['target'], string> = {
  client: 'DPS client (this issuer)',
  'dps-hub': 'DPS hub record',
  'enrollment-group': 'Enrollment group',
}

const BREAK_ANYWHERE = { wordBreak: 'break-all' } as const

function show(v: unknown): string {
  if (v === null || v === undefined) return '—'
  const text = typeof v === 'string' ? v : JSON.stringify(v)
  return text.length > 96 ? `${text.slice(0, 93)}…` : text
}

/** The dry run's per-field diff: what DPS (and the issuer) will get. Secrets arrive masked. */
export function PlanTable({ result }: { result: DpsSetupResult }) {
  return (
    <Stack gap="sm" data-testid="dps-plan">
      {result.warnings.map((w) => (
        <Alert key={w} color="yellow" title="Warning" data-testid="dps-plan-warning">
          {w}
        </Alert>
      ))}
      {/* Ids, URIs and data: values are long and unbroken: they wrap, and the table scrolls
          sideways rather than running past the page at 1024 px. */}
      <Table.ScrollContainer minWidth={560} type="native" data-testid="dps-plan-scroll">
        <Table striped withTableBorder captionSide="top" aria-label="Planned changes">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Record</Table.Th>
              <Table.Th scope="col">Field</Table.Th>
              <Table.Th scope="col">DPS has</Table.Th>
              <Table.Th scope="col">Will be</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {result.plan.flatMap((step) => [
              <Table.Tr key={step.target} data-testid={`dps-plan-${step.target}`}>
                <Table.Th scope="row" colSpan={4}>
                  <Text span fw={600}>
                    {TARGET_LABEL[step.target]} {step.name}
                  </Text>{' '}
                  <Badge color={ACTION_COLOR[step.action]} variant="light">
                    {step.action.replace('-', ' ')}
                  </Badge>
                  {step.id ? (
                    <Text span size="xs" c="dimmed" ml="xs" style={BREAK_ANYWHERE}>
                      {step.id}
                    </Text>
                  ) : null}
                </Table.Th>
              </Table.Tr>,
              ...step.changes.map((c) => (
                <Table.Tr key={`${step.target}:${c.field}`}>
                  <Table.Td />
                  <Table.Td style={BREAK_ANYWHERE}>
                    <Code>{c.field}</Code>
                  </Table.Td>
                  <Table.Td style={BREAK_ANYWHERE}>{show(c.from)}</Table.Td>
                  <Table.Td style={BREAK_ANYWHERE}>{show(c.to)}</Table.Td>
                </Table.Tr>
              )),
            ])}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  )
}
