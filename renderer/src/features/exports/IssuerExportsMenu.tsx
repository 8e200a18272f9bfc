import { Button, Menu, Text } from '@mantine/core'
import { useState } from 'react'
import { BundleDialog } from './BundleDialog'
import { ExportDialog } from './ExportDialog'
import { GraduationDialog } from './GraduationDialog'
import { ImportPlgdDialog } from './ImportPlgdDialog'

type Open = 'issuer' | 'bundle' | 'graduation' | 'import' | null

/** The dashboard's exports: trust material, the static bundle, the move to plgd and back. */
export function IssuerExportsMenu() {
  const [open, setOpen] = useState<Open>(null)
  const close = () => setOpen(null)
  return (
    <>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <Button variant="light" data-testid="issuer-export-menu">
            Export
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item onClick={() => setOpen('issuer')} data-testid="export-issuer-item">
            Issuer trust material…
          </Menu.Item>
          <Menu.Item onClick={() => setOpen('bundle')} data-testid="export-bundle-item">
            Static issuer bundle…
          </Menu.Item>
          <Menu.Divider />
          <Menu.Item onClick={() => setOpen('graduation')} data-testid="export-plgd-item">
            Move to plgd m2m-oauth-server…
          </Menu.Item>
          <Menu.Item onClick={() => setOpen('import')} data-testid="import-plgd-item">
            Import from plgd m2m-oauth-server…
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <ExportDialog
        opened={open === 'issuer'}
        onClose={close}
        title="Export the issuer's trust material"
        target={{ kind: 'issuer' }}
        intro={
          <Text size="sm">
            What hubs and services need to trust this issuer&apos;s tokens: its URL, JWKS and CA. No
            secret is in it.
          </Text>
        }
      />
      <BundleDialog opened={open === 'bundle'} onClose={close} />
      <GraduationDialog opened={open === 'graduation'} onClose={close} />
      <ImportPlgdDialog opened={open === 'import'} onClose={close} />
    </>
  )
}
