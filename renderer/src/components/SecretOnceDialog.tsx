import { Alert, Button, Checkbox, Code, Group, Modal, Stack, Text } from '@mantine/core'
import { useState } from 'react'
import { CopyButton } from './CopyButton'

interface SecretOnceDialogProps {
  clientId: string
  secret: string
  title: string
  /** Called once the user confirmed they saved it; the secret is then forgotten. */
  onDone: () => void
  /** Opens an export that includes this secret (the one moment it can be exported). */
  onExport?: () => void
}

/**
 * Shows a client secret the one time it exists in clear. Neither Escape, the overlay nor a
 * close button dismisses it until "I saved it" is ticked.
 */
export function SecretOnceDialog({
  clientId,
  secret,
  title,
  onDone,
  onExport,
}: SecretOnceDialogProps) {
  const [saved, setSaved] = useState(false)
  const close = () => {
    if (saved) onDone()
  }
  return (
    <Modal
      opened
      onClose={close}
      title={title}
      closeOnEscape={saved}
      closeOnClickOutside={false}
      withCloseButton={saved}
      size="lg"
      attributes={{ content: { 'data-testid': 'secret-dialog' } }}
    >
      <Stack>
        <Alert color="yellow" title="Shown once">
          This is the only time the secret for <strong>{clientId}</strong> is shown. The console
          keeps only a keyed hash of it; store it where the device or service reads it.
        </Alert>
        <Text size="sm" fw={500}>
          Client secret
        </Text>
        <Code block data-testid="secret-display" style={{ wordBreak: 'break-all' }}>
          {secret}
        </Code>
        <Group>
          <CopyButton value={secret} label="client secret" testId="copy-secret" />
          {onExport && (
            <Button variant="light" size="xs" onClick={onExport} data-testid="secret-export">
              Export with this secret…
            </Button>
          )}
        </Group>
        <Checkbox
          label="I saved it"
          checked={saved}
          onChange={(e) => setSaved(e.currentTarget.checked)}
          data-testid="secret-saved-checkbox"
        />
        <Group justify="flex-end">
          <Button onClick={close} disabled={!saved} data-testid="secret-done">
            Done
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}
