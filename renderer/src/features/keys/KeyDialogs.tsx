import {
  Alert,
  Button,
  Code,
  FileButton,
  Group,
  Input,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
  Textarea,
} from '@mantine/core'
import { zodResolver } from '@hookform/resolvers/zod'
import { Controller, useForm, useWatch } from 'react-hook-form'
import { SIGNING_ALGORITHMS } from '../../../../shared/enums'
import type { KeyView } from '../../../../shared/contract/index'
import { CopyButton } from '../../components/CopyButton'
import { downloadText } from '../../lib/download'
import { fieldError, resolverOptions } from '../../lib/form'
import { notify } from '../../lib/notify'
import { readFileText } from '../../lib/read-file'
import { useNowSeconds } from '../../lib/use-now'
import { rotationRisk } from './jwks-cache'
import {
  exportKeysFormSchema,
  importKeyFormSchema,
  rotateKeysFormSchema,
  type ExportKeysFormOutput,
  type ExportKeysFormValues,
  type ImportKeyFormOutput,
  type ImportKeyFormValues,
  type RotateKeysFormOutput,
  type RotateKeysFormValues,
} from './key-forms'
import { useExportPublicKeys, useImportKey, useRotateKeys } from './queries'

interface DialogProps {
  opened: boolean
  onClose: () => void
}

export function RotateKeysDialog({
  opened,
  onClose,
  current,
  next,
}: DialogProps & { current: KeyView | undefined; next?: KeyView | undefined }) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title="Rotate the signing key"
      attributes={{ content: { 'data-testid': 'rotate-keys-dialog' } }}
    >
      <RotateKeysForm onClose={onClose} current={current} next={next} />
    </Modal>
  )
}

function RotateKeysForm({
  onClose,
  current,
  next,
}: {
  onClose: () => void
  current: KeyView | undefined
  next: KeyView | undefined
}) {
  const rotate = useRotateKeys()
  const now = useNowSeconds(10_000)
  const risk = rotationRisk(next, now)
  const { control, handleSubmit } = useForm<RotateKeysFormValues, unknown, RotateKeysFormOutput>({
    resolver: zodResolver(rotateKeysFormSchema, resolverOptions),
    defaultValues: { alg: null },
  })
  const onSubmit = handleSubmit((input) => rotate.mutate(input, { onSuccess: onClose }))
  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack>
        <Text size="sm">
          The next key becomes active and a new next key is generated. The current key
          {current ? (
            <>
              {' '}
              (<Code>{current.kid}</Code>)
            </>
          ) : null}{' '}
          retires: it stays in the JWKS until the tokens it signed have expired, so hubs keep
          accepting them.
        </Text>
        {risk && (
          <Alert
            color="yellow"
            title="Validators may not know the new key yet"
            data-testid="rotate-keys-risk"
          >
            {risk}
          </Alert>
        )}
        <Controller
          control={control}
          name="alg"
          render={({ field }) => (
            <Select
              label="Algorithm of the new keys"
              placeholder={current ? `Keep ${current.alg}` : 'Keep the current algorithm'}
              clearable
              data={[...SIGNING_ALGORITHMS]}
              value={field.value}
              onChange={field.onChange}
              onBlur={field.onBlur}
              name={field.name}
              ref={field.ref}
              data-testid="rotate-keys-alg"
            />
          )}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            type="submit"
            color="orange"
            loading={rotate.isPending}
            data-testid="rotate-keys-confirm"
          >
            Rotate now
          </Button>
        </Group>
      </Stack>
    </form>
  )
}

export function ImportKeyDialog({ opened, onClose }: DialogProps) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title="Import a private key (PEM)"
      size="lg"
      attributes={{ content: { 'data-testid': 'import-key-dialog' } }}
    >
      <ImportKeyForm onClose={onClose} />
    </Modal>
  )
}

export function ImportKeyForm({ onClose }: { onClose: () => void }) {
  const importKey = useImportKey()
  const {
    register,
    control,
    handleSubmit,
    setValue,
    formState: { errors },
  } = useForm<ImportKeyFormValues, unknown, ImportKeyFormOutput>({
    resolver: zodResolver(importKeyFormSchema, resolverOptions),
    defaultValues: { pem: '', activate: false },
  })
  const onSubmit = handleSubmit((input) => importKey.mutate(input, { onSuccess: onClose }))

  const readFile = (file: File | null) => {
    if (!file) return
    readFileText(file).then(
      (text) => setValue('pem', text, { shouldValidate: true, shouldDirty: true }),
      (err: unknown) => notify.error(err, { title: `Could not read ${file.name}` }),
    )
  }

  return (
    <form onSubmit={onSubmit} noValidate data-testid="import-key-form">
      <Stack>
        <Text size="sm">
          A plgd m2m-oauth-server signing key (EC P-256/384/521 or RSA), PKCS#8 or SEC1/PKCS#1 PEM.
          It is sealed in the vault; only its public half is ever exported.
        </Text>
        <Textarea
          label="Private key PEM"
          placeholder="-----BEGIN PRIVATE KEY-----"
          autosize
          minRows={6}
          maxRows={14}
          ff="monospace"
          spellCheck={false}
          autoComplete="off"
          error={fieldError(errors, 'pem')}
          data-autofocus
          data-testid="import-key-pem"
          {...register('pem')}
        />
        <Group>
          <FileButton onChange={readFile} accept=".pem,.key,text/plain,application/x-pem-file">
            {(props) => (
              <Button variant="default" size="xs" {...props} data-testid="import-key-file">
                Read from a file…
              </Button>
            )}
          </FileButton>
        </Group>
        <Controller
          control={control}
          name="activate"
          render={({ field }) => (
            <Switch
              label="Activate now"
              description="Sign with it right away. Off: it becomes the next key, published first."
              checked={field.value ?? false}
              onChange={(e) => field.onChange(e.currentTarget.checked)}
              onBlur={field.onBlur}
              name={field.name}
              ref={field.ref}
              data-testid="import-key-activate"
            />
          )}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={importKey.isPending} data-testid="import-key-submit">
            Import
          </Button>
        </Group>
      </Stack>
    </form>
  )
}

export function ExportKeysDialog({ opened, onClose, keys }: DialogProps & { keys: KeyView[] }) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title="Export public keys"
      size="lg"
      attributes={{ content: { 'data-testid': 'export-keys-dialog' } }}
    >
      <ExportKeysForm onClose={onClose} keys={keys} />
    </Modal>
  )
}

function ExportKeysForm({ onClose, keys }: { onClose: () => void; keys: KeyView[] }) {
  const exportKeys = useExportPublicKeys()
  const { control, handleSubmit } = useForm<ExportKeysFormValues, unknown, ExportKeysFormOutput>({
    resolver: zodResolver(exportKeysFormSchema, resolverOptions),
    defaultValues: { format: 'jwks', kid: null },
  })
  const format = useWatch({ control, name: 'format' })
  const onSubmit = handleSubmit((input) => exportKeys.mutate(input))
  const content = exportKeys.data?.content
  const exportedFormat = exportKeys.variables?.format ?? format
  const filename =
    exportedFormat === 'jwks' ? 'plgd-m2m-console-jwks.json' : 'plgd-m2m-console-public-keys.pem'

  return (
    <Stack>
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <Controller
            control={control}
            name="format"
            render={({ field }) => (
              <Input.Wrapper label="Format">
                <div>
                  <SegmentedControl
                    data={[
                      { value: 'jwks', label: 'JWKS (JSON)' },
                      { value: 'pem', label: 'PEM' },
                    ]}
                    value={field.value}
                    onChange={field.onChange}
                    name={field.name}
                    data-testid="export-format"
                  />
                </div>
              </Input.Wrapper>
            )}
          />
          <Controller
            control={control}
            name="kid"
            render={({ field }) => (
              <Select
                label="Key"
                placeholder="Every published key"
                clearable
                data={keys.map((k) => ({ value: k.kid, label: `${k.kid} (${k.state}, ${k.alg})` }))}
                value={field.value}
                onChange={field.onChange}
                onBlur={field.onBlur}
                name={field.name}
                ref={field.ref}
                data-testid="export-kid"
              />
            )}
          />
          <Group justify="flex-end">
            <Button type="submit" loading={exportKeys.isPending} data-testid="export-submit">
              Export
            </Button>
          </Group>
        </Stack>
      </form>
      {content !== undefined && (
        <Stack gap="xs">
          <Alert color="blue" variant="light">
            Public keys only: safe to share with hubs and verifiers.
          </Alert>
          <Code
            block
            data-testid="export-content"
            style={{
              maxHeight: 300,
              overflow: 'auto',
              whiteSpace: 'pre-wrap',
              wordBreak: 'break-all',
            }}
          >
            {content}
          </Code>
          <Group justify="flex-end">
            <CopyButton value={content} label="exported keys" testId="copy-export" size="sm" />
            <Button
              variant="light"
              onClick={() =>
                downloadText(
                  filename,
                  content,
                  exportedFormat === 'jwks' ? 'application/json' : 'application/x-pem-file',
                )
              }
              data-testid="download-export"
            >
              Download {filename}
            </Button>
            <Button variant="default" onClick={onClose}>
              Close
            </Button>
          </Group>
        </Stack>
      )}
    </Stack>
  )
}
