import { Badge, Code, Table, Text } from '@mantine/core'
import {
  PROVISIONING_STEPS,
  type JobItemView,
  type ProvisioningStepView,
} from '../../../../shared/contract/index'
import { useJobItems } from '../jobs/queries'

/** Rows shown at once: a watch may hold thousands; the CSV report has them all. */
const SHOWN = 200

const STEP_LABEL: Record<(typeof PROVISIONING_STEPS)[number], string> = {
  ownership: 'Ownership',
  credentials: 'Credentials',
  acl: 'ACLs',
  cloud: 'Cloud',
  plgdTime: 'plgd time',
}
const COLOR = { pending: 'gray', done: 'green', failed: 'red' } as const

function stepsOf(item: JobItemView): ProvisioningStepView[] {
  const steps = item.detail.steps
  return Array.isArray(steps) ? (steps as ProvisioningStepView[]) : []
}

/** Each device's provisioning steps as DPS reports them, failed ones with cause and fix. */
export function ProvisioningTable({ jobId }: { jobId: string }) {
  const items = useJobItems(jobId)
  const rows = (items.data ?? []).slice(0, SHOWN)
  return (
    <>
      <Table
        striped
        withTableBorder
        aria-label="Provisioning steps per device"
        data-testid="dps-steps"
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Device</Table.Th>
            {PROVISIONING_STEPS.map((s) => (
              <Table.Th scope="col" key={s}>
                {STEP_LABEL[s]}
              </Table.Th>
            ))}
            <Table.Th scope="col">State</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((item) => {
            const steps = stepsOf(item)
            return [
              <Table.Tr key={item.key} data-testid={`dps-steps-${item.key}`}>
                <Table.Td>
                  <Code>{item.key}</Code>
                </Table.Td>
                {PROVISIONING_STEPS.map((s) => {
                  const state = steps.find((v) => v.step === s)?.state ?? 'pending'
                  return (
                    <Table.Td key={s}>
                      <Badge
                        color={COLOR[state]}
                        variant="light"
                        aria-label={`${STEP_LABEL[s]}: ${state}`}
                      >
                        {state}
                      </Badge>
                    </Table.Td>
                  )
                })}
                <Table.Td>{item.state}</Table.Td>
              </Table.Tr>,
              item.message ? (
                <Table.Tr key={`${item.key}:message`}>
                  <Table.Td colSpan={PROVISIONING_STEPS.length + 2}>
                    <Text size="sm" c={item.state === 'failed' ? 'red' : undefined}>
                      {item.message}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ) : null,
            ]
          })}
        </Table.Tbody>
      </Table>
      {(items.data?.length ?? 0) > SHOWN ? (
        <Text size="sm" c="dimmed">
          The first {SHOWN} of {items.data?.length} devices; the job&apos;s CSV report has them all.
        </Text>
      ) : null}
    </>
  )
}
