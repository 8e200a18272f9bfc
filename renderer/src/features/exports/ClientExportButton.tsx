import { Button, Text } from '@mantine/core'
import { useState } from 'react'
import type { AuthMethod } from '../../../../shared/enums'
import { ExportDialog } from './ExportDialog'

interface ClientExportButtonProps {
  clientId: string
  authMethod: AuthMethod
}

/**
 * A client page's Export button and its dialog. The stored client has no secret to give (it is
 * kept hashed), so the dialog says why the export leaves it out.
 */
export function ClientExportButton({ clientId, authMethod }: ClientExportButtonProps) {
  const [exporting, setExporting] = useState(false)
  return (
    <>
      <Button variant="light" onClick={() => setExporting(true)} data-testid="export-client-button">
        Export…
      </Button>
      <ExportDialog
        opened={exporting}
        onClose={() => setExporting(false)}
        title={`Export ${clientId}`}
        target={{ kind: 'client', id: clientId }}
        intro={
          <Text size="sm" data-testid="export-redacted-note">
            {authMethod === 'client_secret'
              ? 'Secrets are stored hashed, so this export leaves the secret out. An export with the secret is offered only when the secret is created or rotated.'
              : 'This client has no secret to export: its credentials stay with it.'}
          </Text>
        }
      />
    </>
  )
}
