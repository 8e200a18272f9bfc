import { zodResolver } from '@hookform/resolvers/zod'
import { Button, Code, Group, Paper, PasswordInput, Stack, Table, Text, Title } from '@mantine/core'
import { useForm } from 'react-hook-form'
import { BACKUP_PASSPHRASE_MIN, type CreatedBackup } from '../../../../shared/contract/index'
import { base64ToBytes, downloadBytes } from '../../lib/download'
import { fieldError, resolverOptions } from '../../lib/form'
import { formatTime } from '../../lib/format'
import { notify } from '../../lib/notify'
import { backupFormSchema, type BackupFormValues } from './backup-form'
import { useCreateBackup } from './queries'

export const RESTORE_COMMAND = 'plgd-m2m-console backup restore FILE --data-dir DIR'

/** The whole console in one file, encrypted under a passphrase, for a new laptop. */
export function BackupSection() {
  const create = useCreateBackup()
  const {
    register,
    handleSubmit,
    reset,
    formState: { errors },
  } = useForm<BackupFormValues>({
    resolver: zodResolver(backupFormSchema, resolverOptions),
    defaultValues: { passphrase: '', confirm: '' },
  })
  const onSubmit = handleSubmit(({ passphrase }) =>
    create.mutate(
      { passphrase },
      {
        onSuccess: (backup) => {
          // The passphrase leaves the form as soon as it has done its job.
          reset()
          downloadBytes(backup.filename, base64ToBytes(backup.dataBase64))
          notify.success(`${backup.filename} saved`, 'Backup created')
        },
      },
    ),
  )
  return (
    <Paper withBorder p="md" data-testid="backup-section">
      <Stack>
        <Title order={3} size="h4">
          Backup
        </Title>
        <Text size="sm" c="dimmed">
          Settings, clients, keys, the CA, the token ledger and the audit log in one file, encrypted
          under a passphrase. Without the passphrase the file is useless, and it cannot be
          recovered.
        </Text>
        <form onSubmit={(e) => void onSubmit(e)} noValidate data-testid="backup-form">
          <Stack>
            <PasswordInput
              label="Passphrase"
              description={`At least ${BACKUP_PASSPHRASE_MIN} characters.`}
              autoComplete="new-password"
              error={fieldError(errors, 'passphrase')}
              data-testid="backup-passphrase"
              {...register('passphrase')}
            />
            <PasswordInput
              label="Passphrase again"
              autoComplete="new-password"
              error={fieldError(errors, 'confirm')}
              data-testid="backup-confirm"
              {...register('confirm')}
            />
            <Group>
              <Button type="submit" loading={create.isPending} data-testid="backup-create">
                Create backup
              </Button>
            </Group>
          </Stack>
        </form>
        {create.data && <BackupSummaryTable backup={create.data} />}
        <Text size="sm">
          To restore on a new laptop, before the console&apos;s first start there run{' '}
          <Code data-testid="backup-restore-command">{RESTORE_COMMAND}</Code>; it asks for the
          passphrase.
        </Text>
      </Stack>
    </Paper>
  )
}

function BackupSummaryTable({ backup }: { backup: CreatedBackup }) {
  const { summary } = backup
  const rows: [keyof typeof summary, string][] = [
    ['clients', 'Clients'],
    ['keys', 'Signing keys'],
    ['hubs', 'Hubs'],
    ['tokens', 'Tokens in the ledger'],
    ['auditEntries', 'Audit entries'],
  ]
  return (
    <Stack gap="xs" data-testid="backup-summary">
      <Text size="sm">
        <Code>{backup.filename}</Code> ({backup.bytes.toLocaleString('en')} bytes, format{' '}
        {summary.formatVersion}, made {formatTime(summary.createdAt)}) holds:
      </Text>
      <Table maw={360}>
        <Table.Tbody>
          {rows.map(([field, label]) => (
            <Table.Tr key={field}>
              <Table.Th scope="row">{label}</Table.Th>
              <Table.Td data-testid={`backup-count-${field}`}>{summary[field]}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  )
}
