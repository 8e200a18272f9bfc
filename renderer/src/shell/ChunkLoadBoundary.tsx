import { Alert, Button, Group, Stack, Text } from '@mantine/core'
import { Component, type ReactNode } from 'react'
import { isChunkLoadFailure, REOPEN_CONSOLE_HELP } from './reopen-console'

interface State {
  error: unknown
}

function Rethrow({ error }: { error: unknown }): never {
  throw error
}

/**
 * Catches a page whose code could not be loaded (the tab outlived its issuer) and says how to
 * reopen the console; any other failure is passed on to the page's ErrorBoundary around it.
 */
export class ChunkLoadBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null }

  static getDerivedStateFromError(error: unknown): State {
    return { error }
  }

  override render() {
    const { error } = this.state
    if (error === null) return this.props.children
    if (!isChunkLoadFailure(error)) return <Rethrow error={error} />
    return (
      <Alert
        color="orange"
        title="This page could not be loaded: the console was stopped or restarted"
        role="alert"
        data-testid="chunk-load-failed"
      >
        <Stack gap="sm" align="flex-start">
          <Text size="sm">
            This tab belongs to an earlier run of the console, whose files are no longer served.{' '}
            {REOPEN_CONSOLE_HELP}
          </Text>
          <Group>
            <Button variant="light" color="orange" onClick={() => window.location.reload()}>
              Reload this tab
            </Button>
          </Group>
        </Stack>
      </Alert>
    )
  }
}
