import { Button, Group, Modal, Stack } from '@mantine/core'
import type { ReactNode } from 'react'

interface ConfirmDialogProps {
  opened: boolean
  title: string
  children: ReactNode
  confirmLabel: string
  color?: string
  loading?: boolean
  confirmDisabled?: boolean
  onConfirm: () => void
  onClose: () => void
  testId?: string
}

/** A focus-trapped confirmation; Escape or Cancel closes it. */
export function ConfirmDialog({
  opened,
  title,
  children,
  confirmLabel,
  color = 'red',
  loading,
  confirmDisabled,
  onConfirm,
  onClose,
  testId = 'confirm-dialog',
}: ConfirmDialogProps) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={title}
      attributes={{ content: { 'data-testid': testId } }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault()
          if (!confirmDisabled) onConfirm()
        }}
      >
        <Stack>
          {children}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button
              type="submit"
              color={color}
              loading={loading}
              disabled={confirmDisabled}
              data-testid={`${testId}-confirm`}
            >
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  )
}
