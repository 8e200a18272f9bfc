import { Checkbox, Text } from '@mantine/core'
import { useState } from 'react'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { useStatus } from '../status/queries'
import { useLiveTokenCount, useSetClientDisabled } from './queries'

interface DisableClientDialogProps {
  opened: boolean
  clientId: string
  onClose: () => void
}

/**
 * Disabling stops new tokens only: the dialog says what happens to the live ones, which depends
 * on whether hubs ask this issuer about revocations (a station) or not, and offers to revoke.
 */
export function DisableClientDialog({ opened, clientId, onClose }: DisableClientDialogProps) {
  const setDisabled = useSetClientDisabled()
  const live = useLiveTokenCount(clientId, opened)
  const station = useStatus().data?.issuer.station
  const [revoke, setRevoke] = useState(false)
  const close = () => {
    setRevoke(false)
    onClose()
  }
  const count = live.data
  return (
    <ConfirmDialog
      opened={opened}
      title={`Disable client ${clientId}?`}
      confirmLabel={revoke ? 'Disable and revoke' : 'Disable client'}
      color="orange"
      loading={setDisabled.isPending}
      onClose={close}
      onConfirm={() =>
        setDisabled.mutate(
          { id: clientId, disabled: true, revokeTokens: revoke },
          { onSuccess: close },
        )
      }
      testId="disable-client-dialog"
    >
      <Text size="sm">
        Its token requests are refused from now on, with every secret; enable it again to undo.
      </Text>
      <Text size="sm" data-testid="disable-live-tokens">
        {count === undefined
          ? 'Counting its live tokens…'
          : count === 0
            ? 'It has no live tokens.'
            : `Its ${count} live token(s) keep working at hubs until they expire, unless you revoke them.`}
      </Text>
      {count !== undefined && count > 0 && (
        <>
          <Checkbox
            label={`Also revoke its ${count} live token(s)`}
            checked={revoke}
            onChange={(e) => setRevoke(e.currentTarget.checked)}
            data-testid="disable-revoke-tokens"
          />
          <Text size="xs" c="dimmed" data-testid="disable-revocation-reach">
            {station
              ? 'Hubs ask this station issuer, so they refuse revoked tokens.'
              : 'This issuer is not a station: hubs never ask it, so revoking marks the tokens in the ledger only and hubs accept them until they expire.'}
          </Text>
        </>
      )}
    </ConfirmDialog>
  )
}
