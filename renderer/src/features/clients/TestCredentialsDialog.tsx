import {
  Alert,
  Button,
  Code,
  Group,
  Modal,
  SegmentedControl,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core'
import { zodResolver } from '@hookform/resolvers/zod'
import { Controller, useForm, useWatch } from 'react-hook-form'
import type { TestCredentialsResult } from '../../../../shared/contract/index'
import { fieldError, resolverOptions } from '../../lib/form'
import { formatDuration } from '../../lib/format'
import {
  testCredentialsFormSchema,
  type TestCredentialsFormOutput,
  type TestCredentialsFormValues,
} from './edit-client-form'
import { useTestCredentials } from './queries'

interface TestCredentialsDialogProps {
  opened: boolean
  /** Prefilled id (the client page it was opened from); the user may paste another. */
  clientId: string
  onClose: () => void
}

const STYLE_LABELS = {
  client_secret_basic: 'HTTP Basic (client_secret_basic)',
  client_secret_post: 'form body (client_secret_post)',
  client_assertion: 'client assertion',
} as const

/**
 * Checks what was pasted into a service (DPS, a gateway) by asking the running token endpoint
 * for a token exactly as that service would. Main keeps the token; this shows yes or no and why.
 */
export function TestCredentialsDialog({ opened, clientId, onClose }: TestCredentialsDialogProps) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title="Test credentials"
      size="lg"
      attributes={{ content: { 'data-testid': 'test-credentials-dialog' } }}
    >
      {opened && <TestCredentialsForm clientId={clientId} onClose={onClose} />}
    </Modal>
  )
}

function TestCredentialsForm({ clientId, onClose }: { clientId: string; onClose: () => void }) {
  const test = useTestCredentials()
  const {
    control,
    register,
    handleSubmit,
    formState: { errors },
  } = useForm<TestCredentialsFormValues, unknown, TestCredentialsFormOutput>({
    resolver: zodResolver(testCredentialsFormSchema, resolverOptions),
    defaultValues: { clientId, kind: 'secret', credential: '' },
  })
  const kind = useWatch({ control, name: 'kind' })
  const onSubmit = handleSubmit((input) => test.mutate(input))
  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack>
        <Text size="sm">
          Paste what the service was given. The console asks the running token endpoint for a token
          as a service would and says whether it was issued; the token itself is not shown.
        </Text>
        <TextInput
          label="Client id"
          autoComplete="off"
          error={fieldError(errors, 'clientId')}
          data-testid="test-credentials-id"
          {...register('clientId')}
        />
        <Controller
          control={control}
          name="kind"
          render={({ field }) => (
            <SegmentedControl
              data={[
                { value: 'secret', label: 'Client secret' },
                { value: 'assertion', label: 'Client assertion (JWT)' },
              ]}
              value={field.value}
              onChange={field.onChange}
              data-testid="test-credentials-kind"
            />
          )}
        />
        {kind === 'secret' ? (
          <TextInput
            label="Client secret"
            type="password"
            autoComplete="off"
            data-autofocus
            error={fieldError(errors, 'credential')}
            data-testid="test-credentials-secret"
            {...register('credential')}
          />
        ) : (
          <Textarea
            label="Client assertion"
            autosize
            minRows={3}
            ff="monospace"
            error={fieldError(errors, 'credential')}
            data-testid="test-credentials-secret"
            {...register('credential')}
          />
        )}
        {test.data && <TestOutcome result={test.data} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
          <Button type="submit" loading={test.isPending} data-testid="test-credentials-submit">
            Request a token
          </Button>
        </Group>
      </Stack>
    </form>
  )
}

function TestOutcome({ result }: { result: TestCredentialsResult }) {
  const tried = (
    <Stack gap={2} mt="xs">
      {result.attempts.map((a) => (
        <Text key={a.style} size="xs" c="dimmed">
          {STYLE_LABELS[a.style]}: HTTP {a.status}
          {a.error ? ` ${a.error}` : ''}
        </Text>
      ))}
    </Stack>
  )
  if (result.ok && result.claims) {
    const c = result.claims
    return (
      <Alert color="green" title="A token was issued" data-testid="test-credentials-ok">
        <Text size="sm">
          <Code>{result.tokenEndpoint}</Code> accepted these credentials: sub <Code>{c.sub}</Code>
          {c.owner !== undefined && (
            <>
              , owner <Code>{c.owner}</Code>
            </>
          )}
          , audiences {c.audiences.length ? c.audiences.join(' ') : 'none'}, scope{' '}
          {c.scope || 'none'}, valid for {formatDuration(c.expiresInSeconds)}.
        </Text>
        {tried}
      </Alert>
    )
  }
  return (
    <Alert color="red" title="Refused" data-testid="test-credentials-refused">
      <Text size="sm" data-testid="test-credentials-explanation">
        {result.explanation}
      </Text>
      {tried}
    </Alert>
  )
}
