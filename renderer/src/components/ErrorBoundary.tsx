import { Alert, Button, Stack, Text } from '@mantine/core'
import { Component, type ErrorInfo, type ReactNode } from 'react'
import { notify } from '../lib/notify'

interface Props {
  /** The panel's name, for the fallback text. */
  name: string
  children: ReactNode
}

interface State {
  failed: boolean
}

/** One per page: a render failure there leaves the nav and the other pages working. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { failed: false }

  static getDerivedStateFromError(): State {
    return { failed: true }
  }

  override componentDidCatch(error: Error, _info: ErrorInfo): void {
    notify.error(error, { title: `The ${this.props.name} page failed` })
  }

  override render() {
    if (!this.state.failed) return this.props.children
    return (
      <Alert color="red" title={`The ${this.props.name} page could not be shown`} role="alert">
        <Stack gap="sm" align="flex-start">
          <Text size="sm">The details are in the notification. The rest of the console works.</Text>
          <Button
            variant="light"
            color="red"
            onClick={() => this.setState({ failed: false })}
            data-testid="error-boundary-retry"
          >
            Try again
          </Button>
        </Stack>
      </Alert>
    )
  }
}
