import { zodResolver } from '@hookform/resolvers/zod'
import { Alert, Badge, Button, Code, Group, Stack, Table, Text, Title } from '@mantine/core'
import { useForm } from 'react-hook-form'
import type { GraduatedClient, PlgdGraduation } from '../../../../shared/contract/index'
import { CopyButton } from '../../components/CopyButton'
import { DurationField } from '../../components/DurationField'
import { fieldError, resolverOptions } from '../../lib/form'
import { CLI_PLGD_WITH_KEY } from './cli-commands'
import { FileDownloads } from './FileDownloads'
import { NotesList } from './NotesList'
import { PanelDialog } from './PanelDialog'
import {
  DEFAULT_GRACE_SECONDS,
  graduationFormSchema,
  type GraduationFormOutput,
  type GraduationFormValues,
} from './graduation-form'
import { useExportPlgd } from './queries'

/**
 * Move to plgd's m2m-oauth-server: confirm what it changes (every secret client gets a new
 * secret), then the report and the files. The private key stays here unless the CLI exports it.
 */
export function GraduationDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <PanelDialog
      opened={opened}
      onClose={onClose}
      title="Move to plgd m2m-oauth-server"
      testId="graduation-dialog"
      panel={() => <GraduationPanel onClose={onClose} />}
    />
  )
}

function GraduationPanel({ onClose }: { onClose: () => void }) {
  const graduate = useExportPlgd()
  return graduate.data ? (
    <GraduationReport report={graduate.data} onClose={onClose} />
  ) : (
    <GraduationConfirm
      pending={graduate.isPending}
      onCancel={onClose}
      onConfirm={(graceSeconds) => graduate.mutate({ graceSeconds, includePrivateKey: false })}
    />
  )
}

function GraduationConfirm({
  pending,
  onCancel,
  onConfirm,
}: {
  pending: boolean
  onCancel: () => void
  onConfirm: (graceSeconds: number) => void
}) {
  const {
    control,
    handleSubmit,
    formState: { errors },
  } = useForm<GraduationFormValues, unknown, GraduationFormOutput>({
    resolver: zodResolver(graduationFormSchema, resolverOptions),
    defaultValues: { graceSeconds: DEFAULT_GRACE_SECONDS },
  })
  const onSubmit = handleSubmit(({ graceSeconds }) => onConfirm(graceSeconds))
  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate data-testid="graduation-confirm">
      <Stack>
        <Text size="sm">
          This writes a <Code>config.yaml</Code> for plgd&apos;s m2m-oauth-server, the secret files
          it names and matching Helm values. The signing key keeps its kid, so tokens already issued
          still verify.
        </Text>
        <Alert color="orange" title="Every secret client gets a new secret">
          Secrets are stored hashed and cannot be copied, so each client that authenticates with a
          secret is given a new one, written into the export. Its current secret keeps working for
          the grace period below, while the services that use it are moved over. Clients with other
          authentication are kept as they are or skipped; the report says which and why.
        </Alert>
        <DurationField
          control={control}
          name="graceSeconds"
          label="Grace period for the current secrets"
          allowZero
          presets={[3600, 86_400, 7 * 86_400]}
          error={fieldError(errors, 'graceSeconds')}
          data-testid="graduation-grace"
        />
        <Text size="sm" c="dimmed">
          The private signing key is not part of this export. To move it too, run{' '}
          <Code>{CLI_PLGD_WITH_KEY}</Code> on this machine.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" color="orange" loading={pending} data-testid="graduation-submit">
            Rotate secrets and export
          </Button>
        </Group>
      </Stack>
    </form>
  )
}

const OUTCOME_COLORS: Record<GraduatedClient['outcome'], string> = {
  rotated: 'orange',
  kept: 'green',
  skipped: 'gray',
}

function GraduationReport({ report, onClose }: { report: PlgdGraduation; onClose: () => void }) {
  const { key } = report
  return (
    <Stack data-testid="graduation-report">
      <Alert color="yellow" title="The new secrets are shown this once">
        The files marked as holding a secret carry the clients&apos; new secrets. Download them now:
        closing this dialog forgets them, and the console keeps only their hashes.
      </Alert>
      <Text size="sm" data-testid="graduation-kid">
        Signing key <Code>{key.kid}</Code>
        {key.kidKept
          ? ': plgd serves it under the same kid, so tokens already issued still verify.'
          : `: plgd derives the kid ${key.plgdKid}; tokens issued before the move will not verify there.`}
      </Text>
      <Title order={4}>Clients</Title>
      <Table.ScrollContainer minWidth={560}>
        <Table data-testid="graduation-clients">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Client</Table.Th>
              <Table.Th>Outcome</Table.Th>
              <Table.Th>Why</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.clients.map((c) => (
              <Table.Tr key={c.id} data-testid={`graduated-${c.id}`}>
                <Table.Td>
                  <Code>{c.id}</Code>
                </Table.Td>
                <Table.Td>
                  <Badge color={OUTCOME_COLORS[c.outcome]} variant="light">
                    {c.outcome}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{c.reason}</Text>
                  {c.notInPlgd.length > 0 && (
                    <Text size="xs" c="dimmed">
                      Not in plgd&apos;s config (kept in the sidecar file): {c.notInPlgd.join(', ')}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <NotesList notes={report.notes} testId="graduation-notes" />
      <Title order={4}>Files</Title>
      <FileDownloads files={report.files} testId="graduation-files" />
      {!key.privateKeyIncluded && (
        <Group gap="xs">
          <Text size="sm">The private key is not included; to export it run</Text>
          <Code data-testid="graduation-cli">{CLI_PLGD_WITH_KEY}</Code>
          <CopyButton value={CLI_PLGD_WITH_KEY} label="command" />
        </Group>
      )}
      <Group justify="flex-end">
        <Button onClick={onClose} data-testid="graduation-close">
          Close
        </Button>
      </Group>
    </Stack>
  )
}
