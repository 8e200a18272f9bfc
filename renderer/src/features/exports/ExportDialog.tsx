import {
  Badge,
  Button,
  Code,
  Group,
  Loader,
  Radio,
  ScrollArea,
  SimpleGrid,
  Stack,
  Tabs,
  Text,
} from '@mantine/core'
import { useEffect, useState, type ReactNode } from 'react'
import type { ExportedDocument, ExportFormat } from '../../../../shared/contract/index'
import { CopyButton } from '../../components/CopyButton'
import { downloadText } from '../../lib/download'
import { CLIENT_FORMATS, FORMAT_INFO, ISSUER_FORMATS } from './formats'
import { fileName } from './file-name'
import { maskSecret } from './mask'
import { NotesList } from './NotesList'
import { PanelDialog } from './PanelDialog'
import { QrCodeView } from './QrCodeView'
import { useExportDocument, type ExportTarget } from './queries'

interface ExportDialogProps {
  opened: boolean
  onClose: () => void
  title: string
  target: ExportTarget
  /** A line above the formats: what the export holds and why. */
  intro?: ReactNode
  /** Above another dialog (the one-time secret), it must stack on top. */
  zIndex?: number
}

/** Choose a format, preview it with the secret masked, then copy, save or show it as a QR code. */
export function ExportDialog({ opened, onClose, title, target, intro, zIndex }: ExportDialogProps) {
  return (
    <PanelDialog
      opened={opened}
      onClose={onClose}
      title={title}
      testId="export-dialog"
      zIndex={zIndex}
      panel={() => <ExportPanel target={target} intro={intro} onClose={onClose} />}
    />
  )
}

function ExportPanel({
  target,
  intro,
  onClose,
}: {
  target: ExportTarget
  intro?: ReactNode
  onClose: () => void
}) {
  const formats = target.kind === 'client' ? CLIENT_FORMATS : ISSUER_FORMATS
  const [format, setFormat] = useState<ExportFormat>('json')
  const exporting = useExportDocument(target)
  const { mutate } = exporting
  useEffect(() => mutate(format), [format, mutate])
  const doc = exporting.data?.format === format ? exporting.data : undefined

  const save = () => {
    if (doc) downloadText(fileName(doc.path), doc.content, doc.mediaType)
  }
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault()
        save()
      }}
    >
      <Stack>
        {intro}
        <Radio.Group
          label="Format"
          value={format}
          onChange={(value) => setFormat(value as ExportFormat)}
          data-testid="export-formats"
        >
          <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs" spacing="sm">
            {formats.map((f) => (
              <Radio
                key={f}
                value={f}
                label={FORMAT_INFO[f].label}
                description={FORMAT_INFO[f].description}
                data-testid={`export-format-${f}`}
              />
            ))}
          </SimpleGrid>
        </Radio.Group>
        {doc ? (
          <DocumentView doc={doc} target={target} />
        ) : exporting.isError ? (
          <Text size="sm" c="dimmed" data-testid="export-failed">
            No preview: the export failed, as the notice says.
          </Text>
        ) : (
          <Loader aria-label="Exporting" size="sm" />
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
          {doc && <CopyButton value={doc.content} label="export" size="sm" testId="export-copy" />}
          <Button type="submit" disabled={!doc} data-testid="export-save">
            Save…
          </Button>
        </Group>
      </Stack>
    </form>
  )
}

function DocumentView({ doc, target }: { doc: ExportedDocument; target: ExportTarget }) {
  // Everything shown is masked, the notes too: only Copy, Save and the QR code use the secret.
  const mask = (text: string) =>
    target.kind === 'client' ? maskSecret(text, target.secret, target.id) : text
  const preview = mask(doc.content)
  const holdsSecret = doc.containsSecret && !doc.redacted
  return (
    <Stack gap="xs" data-testid="export-document" data-format={doc.format}>
      <Group gap="xs">
        <Code>{doc.path}</Code>
        <Badge
          variant="light"
          color={holdsSecret ? 'orange' : 'gray'}
          data-testid="export-redacted"
          data-redacted={doc.redacted}
        >
          {doc.redacted ? 'redacted: no secret' : holdsSecret ? 'holds the secret' : 'no secret'}
        </Badge>
      </Group>
      <NotesList notes={doc.notes.map(mask)} testId="export-notes" />
      {doc.placeholders.length > 0 && (
        <Text size="sm" data-testid="export-placeholders">
          Fill in before use:{' '}
          {doc.placeholders.map((p, i) => (
            <span key={p}>
              {i > 0 && ', '}
              <Code>{mask(p)}</Code>
            </span>
          ))}
        </Text>
      )}
      <Tabs defaultValue="text" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="text" data-testid="export-tab-text">
            Preview
          </Tabs.Tab>
          <Tabs.Tab value="qr" data-testid="export-tab-qr">
            QR code
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="text" pt="xs">
          {holdsSecret && (
            <Text size="xs" c="dimmed" mb={4}>
              The secret shows as ••••; Copy and Save give the real document.
            </Text>
          )}
          <ScrollArea.Autosize mah={360} scrollbars="y">
            <Code
              block
              data-testid="export-preview"
              style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
            >
              {preview}
            </Code>
          </ScrollArea.Autosize>
        </Tabs.Panel>
        <Tabs.Panel value="qr" pt="xs">
          <QrCodeView text={doc.content} holdsSecret={holdsSecret} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  )
}
