import { Text } from '@mantine/core'
import { BundleDialog } from './BundleDialog'
import { ExportDialog } from './ExportDialog'
import { GraduationDialog } from './GraduationDialog'
import { ImportPlgdDialog } from './ImportPlgdDialog'

export type IssuerExport = 'issuer' | 'bundle' | 'graduation' | 'import'

/** The dashboard's export dialogs, loaded on first use (the QR and YAML code stay out of boot). */
export function IssuerExportDialogs({
  open,
  onClose,
}: {
  open: IssuerExport | null
  onClose: () => void
}) {
  return (
    <>
      <ExportDialog
        opened={open === 'issuer'}
        onClose={onClose}
        title="Export the issuer's trust material"
        target={{ kind: 'issuer' }}
        intro={
          <Text size="sm">
            What hubs and services need to trust this issuer&apos;s tokens: its URL, JWKS and CA. No
            secret is in it.
          </Text>
        }
      />
      <BundleDialog opened={open === 'bundle'} onClose={onClose} />
      <GraduationDialog opened={open === 'graduation'} onClose={onClose} />
      <ImportPlgdDialog opened={open === 'import'} onClose={onClose} />
    </>
  )
}
