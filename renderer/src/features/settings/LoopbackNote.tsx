import { Alert } from '@mantine/core'
import type { StatusView } from '../../../../shared/contract/index'
import { isLoopbackHost } from './settings-fields'

/**
 * Hubs elsewhere cannot use an issuer advertised on a loopback address: said on the dashboard,
 * with where to change it.
 */
export function LoopbackNote({ status }: { status: StatusView }) {
  const host = new URL(status.issuer.issuer).hostname
  if (!isLoopbackHost(host)) return null
  return (
    <Alert color="yellow" title="Reachable from this machine only" data-testid="loopback-note">
      The issuer is advertised as {host}: hubs and DPS on other machines cannot reach it. To serve
      them, set a public host and a listen address of 0.0.0.0 in Settings, then restart the issuer.
    </Alert>
  )
}
