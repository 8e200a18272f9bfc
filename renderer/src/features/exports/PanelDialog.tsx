import { Modal } from '@mantine/core'
import type { ReactNode } from 'react'

interface PanelDialogProps {
  opened: boolean
  onClose: () => void
  title: string
  testId: string
  /** Rendered only while open: closing drops the panel's state (a document, a secret file). */
  panel: () => ReactNode
  zIndex?: number
}

/** The exports' dialogs: wide, and forgetful of what they showed once closed. */
export function PanelDialog({ opened, onClose, title, testId, panel, zIndex }: PanelDialogProps) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={title}
      size="xl"
      zIndex={zIndex}
      attributes={{ content: { 'data-testid': testId } }}
    >
      {opened && panel()}
    </Modal>
  )
}
