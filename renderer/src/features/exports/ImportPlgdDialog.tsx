import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  FileButton,
  Group,
  Stack,
  Table,
  Text,
} from '@mantine/core'
import { useState } from 'react'
import type { PlgdImport, PlgdReference } from '../../../../shared/contract/index'
import { readFileText } from '../../lib/read-file'
import { notify } from '../../lib/notify'
import { NotesList } from './NotesList'
import { PanelDialog } from './PanelDialog'
import { referencesFor } from './plgd-references'
import { useImportPlgd, usePlgdReferences } from './queries'

/** Import clients, the signing key and the claims from a plgd m2m-oauth-server config. */
export function ImportPlgdDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <PanelDialog
      opened={opened}
      onClose={onClose}
      title="Import from plgd m2m-oauth-server"
      testId="import-plgd-dialog"
      panel={() => <ImportPanel onClose={onClose} />}
    />
  )
}

interface Config {
  name: string
  yaml: string
  references: PlgdReference[]
}

/** Reads chosen files; a file that cannot be read is reported, the others still count. */
async function readAll(files: File[]): Promise<{ name: string; content: string }[]> {
  const read = await Promise.allSettled(
    files.map(async (f) => ({ name: f.name, content: await readFileText(f) })),
  )
  return read.flatMap((r) => {
    if (r.status === 'fulfilled') return [r.value]
    notify.error(r.reason, { title: 'A file could not be read' })
    return []
  })
}

function ImportPanel({ onClose }: { onClose: () => void }) {
  const importPlgd = useImportPlgd()
  const readReferences = usePlgdReferences()
  const [config, setConfig] = useState<Config | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const [files, setFiles] = useState<Record<string, { name: string; content: string }>>({})
  const [sidecar, setSidecar] = useState<{ name: string; content: string } | null>(null)
  const [activate, setActivate] = useState(true)

  if (importPlgd.data) return <ImportReport report={importPlgd.data} onClose={onClose} />

  const chooseConfig = async (file: File | null) => {
    if (!file) return
    const [read] = await readAll([file])
    if (!read) return
    setFiles({})
    setConfig(null)
    setProblem(null)
    try {
      const { references } = await readReferences.mutateAsync(read.content)
      setConfig({ name: read.name, yaml: read.content, references })
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err))
    }
  }
  const addFiles = async (chosen: File[]) => {
    if (!config) return
    const next = { ...files }
    for (const file of await readAll(chosen)) {
      for (const ref of referencesFor(config.references, file.name)) next[ref] = file
    }
    setFiles(next)
  }
  const missing = config ? config.references.filter(({ reference }) => !(reference in files)) : []
  const start = () => {
    if (!config) return
    importPlgd.mutate({
      configYaml: config.yaml,
      files: Object.fromEntries(Object.entries(files).map(([ref, f]) => [ref, f.content])),
      sidecarJson: sidecar?.content,
      activate,
    })
  }

  return (
    <Stack>
      <Text size="sm">
        Clients with their policies, the signing key with plgd&apos;s kid (so tokens plgd issued
        still verify) and the owner and device-id claims. Secrets are hashed as they are imported.
      </Text>
      <Group>
        <FileButton onChange={(f) => void chooseConfig(f)} accept=".yaml,.yml">
          {(props) => (
            <Button variant="light" {...props} data-testid="import-plgd-config">
              Choose config.yaml…
            </Button>
          )}
        </FileButton>
        {config && <Code data-testid="import-plgd-config-name">{config.name}</Code>}
      </Group>
      {problem && (
        <Alert color="red" data-testid="import-plgd-problem">
          {problem}
        </Alert>
      )}
      {config && (
        <>
          <Text size="sm">
            The files it names (match by file name); <Code>data:</Code> references need none:
          </Text>
          {config.references.length > 0 && (
            <Table data-testid="import-plgd-references">
              <Table.Tbody>
                {config.references.map(({ reference: ref, what }) => (
                  <Table.Tr key={ref} data-testid="import-plgd-reference" data-ref={ref}>
                    <Table.Td>
                      <Code>{ref}</Code>
                      <Text size="xs" c="dimmed">
                        {what}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      {files[ref] ? (
                        <Badge color="green" variant="light">
                          {files[ref].name}
                        </Badge>
                      ) : (
                        <Badge color="orange" variant="light" data-testid="import-plgd-missing">
                          missing
                        </Badge>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          <Group>
            <FileButton onChange={(f) => void addFiles(f)} multiple>
              {(props) => (
                <Button
                  variant="light"
                  disabled={config.references.length === 0}
                  {...props}
                  data-testid="import-plgd-files"
                >
                  Add the key and secret files…
                </Button>
              )}
            </FileButton>
            <FileButton
              onChange={(f) => void (f && readAll([f]).then(([s]) => setSidecar(s ?? null)))}
              accept=".json"
            >
              {(props) => (
                <Button variant="subtle" {...props} data-testid="import-plgd-sidecar">
                  {sidecar ? `Sidecar: ${sidecar.name}` : 'Add the console sidecar (optional)…'}
                </Button>
              )}
            </FileButton>
          </Group>
          <Checkbox
            label="Sign with the imported key at once (otherwise it is published as the next key)"
            checked={activate}
            onChange={(e) => setActivate(e.currentTarget.checked)}
            data-testid="import-plgd-activate"
          />
        </>
      )}
      <Group justify="flex-end">
        {missing.length > 0 && (
          <Text size="sm" c="orange" data-testid="import-plgd-missing-count">
            {missing.length} file(s) still missing
          </Text>
        )}
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button
          onClick={start}
          disabled={!config || missing.length > 0}
          loading={importPlgd.isPending}
          data-testid="import-plgd-submit"
        >
          Import
        </Button>
      </Group>
    </Stack>
  )
}

function ImportReport({ report, onClose }: { report: PlgdImport; onClose: () => void }) {
  return (
    <Stack data-testid="import-plgd-report">
      <Text size="sm" data-testid="import-plgd-key">
        {report.key
          ? `Key ${report.key.kid} (${report.key.alg}) ${report.key.activated ? 'signs from now on' : 'is published as the next key'}.`
          : 'No signing key was imported.'}
      </Text>
      <Text size="sm">
        Owner claim <Code>{report.claims.ownerClaim}</Code>, device id claim{' '}
        <Code>{report.claims.deviceIdClaim}</Code>.
      </Text>
      <Table data-testid="import-plgd-clients">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Client</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>Why</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {report.clients.map((c) => (
            <Table.Tr key={c.id} data-testid={`imported-${c.id}`}>
              <Table.Td>
                <Code>{c.id}</Code>
              </Table.Td>
              <Table.Td>
                <Badge color={c.outcome === 'added' ? 'green' : 'gray'} variant="light">
                  {c.outcome}
                </Badge>
              </Table.Td>
              <Table.Td>{c.reason ?? ''}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <NotesList notes={report.notes} testId="import-plgd-notes" />
      <Group justify="flex-end">
        <Button onClick={onClose} data-testid="import-plgd-close">
          Close
        </Button>
      </Group>
    </Stack>
  )
}
