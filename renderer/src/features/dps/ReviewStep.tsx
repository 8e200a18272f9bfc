import { Alert, Button, Group, Loader, Stack, Text } from '@mantine/core'
import { useEffect } from 'react'
import type { ClientView, DpsSetupResult } from '../../../../shared/contract/index'
import { formatDuration } from '../../lib/format'
import { PlanTable } from './PlanTable'
import { useDpsSetup } from './queries'
import { toSetupInput, type SetupFormValues } from './setup-form'

interface ReviewStepProps {
  values: SetupFormValues
  clients: ClientView[]
  onBack: () => void
  onApplied: (result: DpsSetupResult) => void
}

/**
 * Review: the dry run's diff as soon as the step opens; Apply sends the same input for real.
 * Nothing at DPS changes before Apply.
 */
export function ReviewStep({ values, clients, onBack, onApplied }: ReviewStepProps) {
  const dryRun = useDpsSetup()
  const apply = useDpsSetup()
  const { mutate } = dryRun
  const input = JSON.stringify(toSetupInput(values, clients, true))
  useEffect(() => mutate(JSON.parse(input) as ReturnType<typeof toSetupInput>), [mutate, input])

  const rotates = dryRun.data?.plan.some((s) => s.action === 'rotate-secret') ?? false
  return (
    <Stack data-testid="dps-review">
      {dryRun.isPending ? <Loader aria-label="Reading what DPS has" /> : null}
      {dryRun.error ? (
        <Alert color="red" title="The dry run failed" data-testid="dps-review-error">
          {dryRun.error.message}
        </Alert>
      ) : null}
      {dryRun.data ? <PlanTable result={dryRun.data} /> : null}
      {rotates ? (
        <Text size="sm" data-testid="dps-review-rotation">
          Apply rotates the DPS client&apos;s secret: the new one goes to DPS only, the previous one
          keeps working for {formatDuration(values.graceSeconds)}.
        </Text>
      ) : null}
      {apply.error ? (
        <Alert color="red" title="Apply failed" data-testid="dps-apply-error">
          {apply.error.message}
        </Alert>
      ) : null}
      <Group justify="space-between">
        <Button variant="default" onClick={onBack}>
          Back
        </Button>
        <Button
          disabled={!dryRun.data}
          loading={apply.isPending}
          onClick={() =>
            apply.mutate(toSetupInput(values, clients, false), { onSuccess: onApplied })
          }
          data-testid="dps-apply"
        >
          Apply
        </Button>
      </Group>
    </Stack>
  )
}
