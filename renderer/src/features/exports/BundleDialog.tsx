import { Alert, Button, Code, Group, Stack, Text, TextInput } from '@mantine/core'
import { useState } from 'react'
import { CopyButton } from '../../components/CopyButton'
import { CLI_BUNDLE_KEEP_UPDATED } from './cli-commands'
import { FileDownloads } from './FileDownloads'
import { NotesList } from './NotesList'
import { PanelDialog } from './PanelDialog'
import { useExportBundle } from './queries'

/** Discovery and JWKS as files, for hubs that cannot reach this laptop. */
export function BundleDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <PanelDialog
      opened={opened}
      onClose={onClose}
      title="Static issuer bundle"
      testId="bundle-dialog"
      panel={() => <BundlePanel onClose={onClose} />}
    />
  )
}

function BundlePanel({ onClose }: { onClose: () => void }) {
  const bundle = useExportBundle()
  const [authority, setAuthority] = useState('')
  const make = () => bundle.mutate(authority.trim() ? { authority: authority.trim() } : {})
  return (
    <Stack>
      <Text size="sm">
        Discovery and the JWKS as files to host on an always-on web server at the authority URL, for
        hubs that cannot reach this laptop (hub services read discovery when a pod starts). Tokens
        are still signed here.
      </Text>
      <Alert color="yellow" title="Revocation is off" data-testid="bundle-revocation-off">
        With a static bundle hubs cannot ask this issuer about a token: a revoked token is accepted
        until it expires.
      </Alert>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          make()
        }}
      >
        <Group align="flex-end">
          <TextInput
            style={{ flex: 1 }}
            label="Authority URL"
            description="Where hubs will read the files; empty: this issuer's own URL."
            placeholder="https://auth.example.com/m2m"
            value={authority}
            onChange={(e) => setAuthority(e.currentTarget.value)}
            data-testid="bundle-authority"
          />
          <Button type="submit" loading={bundle.isPending} data-testid="bundle-make">
            Make the bundle
          </Button>
        </Group>
      </form>
      {bundle.data && (
        <Stack gap="xs" data-testid="bundle-result">
          <Text size="sm">
            Host these files under <Code>{bundle.data.authority}</Code>:
          </Text>
          <NotesList notes={bundle.data.notes} testId="bundle-notes" />
          <FileDownloads files={bundle.data.files} testId="bundle-files" />
        </Stack>
      )}
      <Text size="sm" c="dimmed">
        The files go stale when the signing key rotates. To keep a directory re-written on every
        rotation, run on this machine:
      </Text>
      <Group gap="xs">
        <Code data-testid="bundle-cli">{CLI_BUNDLE_KEEP_UPDATED}</Code>
        <CopyButton value={CLI_BUNDLE_KEEP_UPDATED} label="command" />
      </Group>
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Close
        </Button>
      </Group>
    </Stack>
  )
}
