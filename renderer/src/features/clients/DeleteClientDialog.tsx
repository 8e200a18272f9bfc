import { Code, Text, TextInput } from '@mantine/core'
import { useState } from 'react'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { navigate } from '../../shell/routes'
import { useRemoveClient } from './queries'

interface DeleteClientDialogProps {
  opened: boolean
  clientId: string
  onClose: () => void
}

/** Deletes a client once its id is typed back; then goes to the clients list. */
export function DeleteClientDialog({ opened, clientId, onClose }: DeleteClientDialogProps) {
  const remove = useRemoveClient()
  const [typed, setTyped] = useState('')
  const close = () => {
    setTyped('')
    onClose()
  }
  return (
    <ConfirmDialog
      opened={opened}
      title={`Delete client ${clientId}?`}
      confirmLabel="Delete client"
      loading={remove.isPending}
      confirmDisabled={typed !== clientId}
      onClose={close}
      onConfirm={() =>
        remove.mutate(
          { id: clientId },
          {
            onSuccess: () => {
              close()
              navigate('clients')
            },
          },
        )
      }
      testId="delete-client-dialog"
    >
      <Text size="sm">
        The client can no longer get tokens. Tokens it was already issued stay in the ledger on the
        Tokens page, where they can be revoked. This cannot be undone.
      </Text>
      <TextInput
        label={
          <>
            Type <Code>{clientId}</Code> to confirm
          </>
        }
        value={typed}
        onChange={(e) => setTyped(e.currentTarget.value)}
        autoComplete="off"
        data-autofocus
        data-testid="delete-confirm-input"
      />
    </ConfirmDialog>
  )
}
