import { Alert, Badge, Button, Code, Group, List, Stack, Text } from '@mantine/core'
import type { HubCheck } from '../../../../shared/contract/index'
import { CopyButton } from '../../components/CopyButton'
import { useCheckHub } from './queries'

/** "Check connection": each step with its detail, the fix when it failed, and a YAML to copy. */
export function CheckPanel({ hub }: { hub: string }) {
  const check = useCheckHub()
  const result = check.data
  return (
    <Stack gap="sm" data-testid="hub-check-panel">
      <Group>
        <Button
          variant="light"
          onClick={() => check.mutate({ name: hub })}
          loading={check.isPending}
          data-testid="hub-check-button"
        >
          Check connection
        </Button>
        {result ? (
          <Badge color={result.ok ? 'green' : 'red'} data-testid="hub-check-verdict">
            {result.ok ? 'all checks passed' : 'a check failed'}
          </Badge>
        ) : null}
      </Group>
      {check.isError ? (
        <Alert color="red" title="The check could not run" role="alert">
          {check.error.message}
        </Alert>
      ) : null}
      {result ? (
        <List spacing="xs" listStyleType="none" data-testid="hub-check-results">
          {result.checks.map((c) => (
            <CheckItem key={c.name} check={c} />
          ))}
        </List>
      ) : null}
    </Stack>
  )
}

function CheckItem({ check }: { check: HubCheck }) {
  return (
    <List.Item data-testid={`hub-check-${check.name}`} data-ok={check.ok}>
      <Text size="sm">
        <span aria-hidden>{check.ok ? '✓' : '✗'}</span>{' '}
        <Text span fw={600}>
          {check.name}
        </Text>
        <Text span c="dimmed">
          {' '}
          ({check.ok ? 'passed' : 'failed'})
        </Text>
        : {check.detail}
      </Text>
      {check.fix ? (
        <Text size="sm" c={check.ok ? undefined : 'red'} ml="md" data-testid="hub-check-fix">
          Fix: {check.fix}
        </Text>
      ) : null}
      {check.snippet ? (
        <Stack gap={4} ml="md" mt={4}>
          <Group justify="space-between">
            <Text size="xs" c="dimmed">
              For the hub admin (YAML)
            </Text>
            <CopyButton value={check.snippet} label={`${check.name} YAML snippet`} />
          </Group>
          <Code block data-testid="hub-check-snippet">
            {check.snippet}
          </Code>
        </Stack>
      ) : null}
    </List.Item>
  )
}
