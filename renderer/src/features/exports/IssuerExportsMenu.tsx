import { Button, Menu } from '@mantine/core'
import { lazy, Suspense, useState } from 'react'
import type { IssuerExport } from './IssuerExportDialogs'

const IssuerExportDialogs = lazy(() =>
  import('./IssuerExportDialogs').then((m) => ({ default: m.IssuerExportDialogs })),
)

/** The dashboard's exports: trust material, the static bundle, the move to plgd and back. */
export function IssuerExportsMenu() {
  const [open, setOpen] = useState<IssuerExport | null>(null)
  // Once loaded, the dialogs stay mounted so closing one animates like any other dialog.
  const [used, setUsed] = useState(false)
  const choose = (which: IssuerExport) => {
    setUsed(true)
    setOpen(which)
  }
  return (
    <>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <Button variant="light" data-testid="issuer-export-menu">
            Export
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item onClick={() => choose('issuer')} data-testid="export-issuer-item">
            Issuer trust material…
          </Menu.Item>
          <Menu.Item onClick={() => choose('bundle')} data-testid="export-bundle-item">
            Static issuer bundle…
          </Menu.Item>
          <Menu.Divider />
          <Menu.Item onClick={() => choose('graduation')} data-testid="export-plgd-item">
            Move to plgd m2m-oauth-server…
          </Menu.Item>
          <Menu.Item onClick={() => choose('import')} data-testid="import-plgd-item">
            Import from plgd m2m-oauth-server…
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      {used && (
        <Suspense fallback={null}>
          <IssuerExportDialogs open={open} onClose={() => setOpen(null)} />
        </Suspense>
      )}
    </>
  )
}
