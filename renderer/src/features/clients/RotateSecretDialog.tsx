import { Button, Group, Modal, Stack, Text } from '@mantine/core'
import { zodResolver } from '@hookform/resolvers/zod'
import { useForm, useWatch } from 'react-hook-form'
import { DurationField } from '../../components/DurationField'
import { fieldError, resolverOptions } from '../../lib/form'
import {
  rotateSecretFormSchema,
  type RotateSecretFormOutput,
  type RotateSecretFormValues,
} from './client-form'
import { SUGGESTED_GRACE_SECONDS } from './edit-client-form'
import { useRotateSecret } from './queries'

interface RotateSecretDialogProps {
  opened: boolean
  clientId: string
  onClose: () => void
  onRotated: (secret: string) => void
}

/** Rotates a client's secret with a grace period for the old one; the new one goes to onRotated. */
export function RotateSecretDialog({
  opened,
  clientId,
  onClose,
  onRotated,
}: RotateSecretDialogProps) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={`Rotate the secret of ${clientId}`}
      attributes={{ content: { 'data-testid': 'rotate-secret-dialog' } }}
    >
      <RotateSecretForm clientId={clientId} onCancel={onClose} onRotated={onRotated} />
    </Modal>
  )
}

function RotateSecretForm({
  clientId,
  onCancel,
  onRotated,
}: {
  clientId: string
  onCancel: () => void
  onRotated: (secret: string) => void
}) {
  const rotate = useRotateSecret()
  const {
    control,
    handleSubmit,
    formState: { errors },
  } = useForm<RotateSecretFormValues, unknown, RotateSecretFormOutput>({
    resolver: zodResolver(rotateSecretFormSchema, resolverOptions),
    defaultValues: { graceSeconds: SUGGESTED_GRACE_SECONDS },
  })
  const graceSeconds = useWatch({ control, name: 'graceSeconds' })
  const onSubmit = handleSubmit(({ graceSeconds }) =>
    rotate.mutate(
      { id: clientId, graceSeconds },
      {
        onSuccess: ({ clientSecret }) => {
          if (clientSecret) onRotated(clientSecret)
        },
      },
    ),
  )
  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack>
        <Text size="sm">
          A new secret is generated and shown once. The current one keeps working for the grace
          period, so the services that use it (DPS, gateways) can be given the new one; you can end
          the grace period early on this page once they have it.
        </Text>
        <DurationField
          control={control}
          name="graceSeconds"
          label="Grace period"
          allowZero
          presets={[600, 3600, 86_400]}
          error={fieldError(errors, 'graceSeconds')}
          data-testid="rotate-secret-grace"
        />
        {graceSeconds === 0 && (
          <Text size="sm" c="orange" data-testid="rotate-secret-zero-grace">
            With 0 the current secret stops at once: a service that still has it (DPS) fails to get
            tokens until it is given the new one.
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={rotate.isPending} data-testid="rotate-secret-submit">
            Rotate secret
          </Button>
        </Group>
      </Stack>
    </form>
  )
}
