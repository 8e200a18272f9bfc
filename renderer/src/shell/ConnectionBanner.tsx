import { Alert, Text } from '@mantine/core'
import { useSyncExternalStore } from 'react'
import { connection, type ConnectionState } from '../api/transport'
import { REOPEN_CONSOLE_HELP } from './reopen-console'

export function useConnectionState(): ConnectionState {
  return useSyncExternalStore(connection.subscribe, connection.getSnapshot, connection.getSnapshot)
}

const TITLES: Record<Exclude<ConnectionState, 'ok'>, string> = {
  lost: 'Lost the connection to the console',
  restarted: 'The console was restarted: this tab is from an earlier run',
}

const CAUSES: Record<Exclude<ConnectionState, 'ok'>, string> = {
  lost: 'The issuer and its console stopped answering; what this tab shows may be out of date. If it was stopped, start it again (`plgd-m2m-console serve`).',
  restarted:
    'Each start has a new session key, so this tab can no longer reach it; what it shows is from the earlier run.',
}

/** Above every page while the tab cannot reach its issuer, with how to reopen the console. */
export function ConnectionBanner({ state }: { state: ConnectionState }) {
  if (state === 'ok') return null
  return (
    <Alert
      color="orange"
      title={TITLES[state]}
      mb="md"
      role="alert"
      data-testid="connection-banner"
      data-state={state}
    >
      <Text size="sm">
        {CAUSES[state]} {REOPEN_CONSOLE_HELP}
      </Text>
    </Alert>
  )
}
