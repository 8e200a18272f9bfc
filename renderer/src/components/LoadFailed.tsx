import { Button, EmptyState } from '@mantine/core'

/** A failed query's placeholder; the reason itself was already shown as a notification. */
export function LoadFailed({ what, onRetry }: { what: string; onRetry: () => void }) {
  return (
    <EmptyState
      title={`Could not load ${what}`}
      description="The reason is in the notification."
      data-testid="load-failed"
    >
      <EmptyState.Actions>
        <Button variant="light" onClick={onRetry}>
          Retry
        </Button>
      </EmptyState.Actions>
    </EmptyState>
  )
}
