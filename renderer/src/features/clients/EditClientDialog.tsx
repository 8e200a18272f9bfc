import { Button, Group, Modal, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core'
import { zodResolver } from '@hookform/resolvers/zod'
import { Controller, useForm } from 'react-hook-form'
import type { ClientView } from '../../../../shared/contract/index'
import { DurationField } from '../../components/DurationField'
import { fieldError, resolverOptions } from '../../lib/form'
import {
  editClientFormSchemaFor,
  editFormValues,
  updateFrom,
  type EditClientFormOutput,
  type EditClientFormValues,
} from './edit-client-form'
import { useUpdateClient } from './queries'
import { useStatus } from '../status/queries'

interface EditClientDialogProps {
  opened: boolean
  client: ClientView
  onClose: () => void
}

/** Changes a client's policy in place: its secret stays, so nothing on the devices changes. */
export function EditClientDialog({ opened, client, onClose }: EditClientDialogProps) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={`Edit client ${client.id}`}
      size="lg"
      attributes={{ content: { 'data-testid': 'edit-client-dialog' } }}
    >
      {opened && <EditClientForm client={client} onDone={onClose} />}
    </Modal>
  )
}

function EditClientForm({ client, onDone }: { client: ClientView; onDone: () => void }) {
  const update = useUpdateClient()
  const issuerMax = useStatus().data?.settings.maxLifetimeSeconds
  const {
    control,
    register,
    handleSubmit,
    formState: { errors },
  } = useForm<EditClientFormValues, unknown, EditClientFormOutput>({
    resolver: zodResolver(editClientFormSchemaFor(client), resolverOptions),
    defaultValues: editFormValues(client),
  })
  const userAssertion = client.auth.method === 'user_assertion'
  const onSubmit = handleSubmit((values) => {
    const input = updateFrom(client, values)
    if (Object.keys(input).length === 1) return onDone()
    update.mutate(input, { onSuccess: onDone })
  })
  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack>
        <Text size="sm" c="dimmed">
          The secret stays as it is; tokens already issued keep the values they were issued with.
          Each changed field is one audit entry.
        </Text>
        <TextInput
          label="Owner"
          description={
            userAssertion ? 'Empty: each user assertion names the owner' : 'The owner claim'
          }
          error={fieldError(errors, 'owner')}
          data-autofocus
          data-testid="edit-owner-input"
          {...register('owner')}
        />
        <TextInput
          label="Other allowed owners"
          description="Comma or space separated; the coap-gateway mints for many owners"
          error={fieldError(errors, 'allowedOwners')}
          data-testid="edit-allowed-owners-input"
          {...register('allowedOwners')}
        />
        <TextInput
          label="Audiences"
          description="Comma or space separated"
          error={fieldError(errors, 'audiences')}
          data-testid="edit-audiences-input"
          {...register('audiences')}
        />
        <TextInput
          label="Scopes"
          description="Comma or space separated, e.g. r:* w:*"
          error={fieldError(errors, 'scopes')}
          data-testid="edit-scopes-input"
          {...register('scopes')}
        />
        <DurationField
          control={control}
          name="maxLifetimeSeconds"
          label="Maximum token lifetime"
          required
          caps={issuerMax === undefined ? [] : [{ label: 'issuer', seconds: issuerMax }]}
          error={fieldError(errors, 'maxLifetimeSeconds')}
          data-testid="edit-max-lifetime-input"
        />
        <Controller
          control={control}
          name="allowDeviceId"
          render={({ field }) => (
            <Switch
              label="Allow a device id claim"
              description="DPS and the coap-gateway ask for tokens bound to one device"
              checked={field.value}
              onChange={(e) => field.onChange(e.currentTarget.checked)}
              onBlur={field.onBlur}
              name={field.name}
              ref={field.ref}
              data-testid="edit-allow-device-id"
            />
          )}
        />
        <Textarea
          label="Extra claims (JSON object)"
          autosize
          minRows={2}
          ff="monospace"
          error={fieldError(errors, 'extraClaims')}
          data-testid="edit-extra-claims-input"
          {...register('extraClaims')}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={update.isPending} data-testid="edit-client-submit">
            Save changes
          </Button>
        </Group>
      </Stack>
    </form>
  )
}
