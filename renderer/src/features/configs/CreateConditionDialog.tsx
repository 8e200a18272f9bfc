import {
  Alert,
  Button,
  Group,
  Loader,
  Modal,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core'
import { zodResolver } from '@hookform/resolvers/zod'
import { useMemo, useState } from 'react'
import { Controller, useForm, useWatch } from 'react-hook-form'
import type {
  ClientView,
  ConditionView,
  ConfigurationView,
} from '../../../../shared/contract/index'
import { DurationField } from '../../components/DurationField'
import { fieldError, resolverOptions } from '../../lib/form'
import { formatTime } from '../../lib/format'
import { useClients } from '../clients/queries'
import { useStatus } from '../status/queries'
import { LIFETIME_PRESETS } from './config-form'
import {
  buildConditionSchema,
  emptyConditionForm,
  toConditionInput,
  type ConditionFormOutput,
  type ConditionFormValues,
} from './condition-form'
import { useCreateCondition } from './queries'

export function InClearWarning() {
  return (
    <Alert color="yellow" title="The hub stores this token in clear" data-testid="in-clear-warning">
      The snippet-service keeps a condition&apos;s token as plain text and returns it in GET
      conditions: anyone who can read the conditions can use it until it expires. Pick the shortest
      lifetime that works; the token is in the ledger and can be revoked there.
    </Alert>
  )
}

interface CreateConditionDialogProps {
  hub: string
  configs: ConfigurationView[]
  defaultConfigId: string | null
  opened: boolean
  onClose: () => void
}

export function CreateConditionDialog(props: CreateConditionDialogProps) {
  const { hub, opened, onClose } = props
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={`New condition at ${hub}`}
      size="xl"
      attributes={{ content: { 'data-testid': 'create-condition-dialog' } }}
    >
      <ConditionContent {...props} />
    </Modal>
  )
}

function ConditionContent({ hub, configs, defaultConfigId, onClose }: CreateConditionDialogProps) {
  const clients = useClients()
  const [created, setCreated] = useState<{ condition: ConditionView; tokenJti: string } | null>(
    null,
  )
  if (created) {
    return (
      <Stack data-testid="condition-created">
        <Text>
          Condition <b>{created.condition.name}</b> created. Its token is{' '}
          <code>{created.tokenJti}</code> in the ledger
          {created.condition.tokenExpiresAt
            ? `, expiring ${formatTime(created.condition.tokenExpiresAt)}`
            : ''}
          .
        </Text>
        <InClearWarning />
        <Group justify="flex-end">
          <Button onClick={onClose}>Done</Button>
        </Group>
      </Stack>
    )
  }
  if (!clients.data) return <Loader aria-label="Loading clients" />
  return (
    <ConditionForm
      hub={hub}
      configs={configs}
      clients={clients.data.filter((c) => !c.disabled && c.auth.method !== 'user_assertion')}
      defaultConfigId={defaultConfigId}
      onCancel={onClose}
      onCreated={setCreated}
    />
  )
}

function ConditionForm({
  hub,
  configs,
  clients,
  defaultConfigId,
  onCancel,
  onCreated,
}: {
  hub: string
  configs: ConfigurationView[]
  clients: ClientView[]
  defaultConfigId: string | null
  onCancel: () => void
  onCreated: (created: { condition: ConditionView; tokenJti: string }) => void
}) {
  const create = useCreateCondition()
  const schema = useMemo(() => buildConditionSchema(clients), [clients])
  const {
    register,
    control,
    handleSubmit,
    formState: { errors },
  } = useForm<ConditionFormValues, unknown, ConditionFormOutput>({
    resolver: zodResolver(schema, resolverOptions),
    defaultValues: emptyConditionForm(defaultConfigId),
  })
  const clientId = useWatch({ control, name: 'clientId' })
  const client = clients.find((c) => c.id === clientId)
  const issuerMax = useStatus().data?.settings.maxLifetimeSeconds
  const onSubmit = handleSubmit((form) =>
    create.mutate(toConditionInput(hub, form), { onSuccess: onCreated }),
  )
  return (
    <form onSubmit={onSubmit} noValidate data-testid="create-condition-form">
      <Stack>
        <InClearWarning />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="Name"
            required
            data-autofocus
            error={fieldError(errors, 'name')}
            data-testid="condition-name"
            {...register('name')}
          />
          <Controller
            control={control}
            name="configId"
            render={({ field }) => (
              <Select
                label="Configuration"
                required
                data={configs.map((c) => ({
                  value: c.id,
                  label: `${c.name} (${c.id.slice(0, 8)})`,
                }))}
                value={field.value || null}
                onChange={(v) => field.onChange(v ?? '')}
                onBlur={field.onBlur}
                error={fieldError(errors, 'configId')}
                data-testid="condition-config"
              />
            )}
          />
          <TextInput
            label="Device ids"
            description="Empty: any device"
            error={fieldError(errors, 'deviceIds')}
            {...register('deviceIds')}
          />
          <TextInput
            label="Resource types"
            description="The resource must have all of them"
            error={fieldError(errors, 'resourceTypes')}
            {...register('resourceTypes')}
          />
          <TextInput
            label="Resource hrefs"
            description="Empty: any resource"
            error={fieldError(errors, 'hrefs')}
            {...register('hrefs')}
          />
          <TextInput
            label="jq expression"
            description="Must yield true on the content"
            placeholder=".power != 42"
            error={fieldError(errors, 'jq')}
            {...register('jq')}
          />
        </SimpleGrid>
        <Controller
          control={control}
          name="clientId"
          render={({ field }) => (
            <Select
              label="Client that mints the token"
              required
              description="Its owner must own the devices (the hub profile's owner)"
              data={clients.map((c) => ({ value: c.id, label: `${c.id} (owner ${c.owner})` }))}
              value={field.value || null}
              onChange={(v) => field.onChange(v ?? '')}
              onBlur={field.onBlur}
              error={fieldError(errors, 'clientId')}
              data-testid="condition-client"
            />
          )}
        />
        <DurationField
          control={control}
          name="lifetime"
          label="Token lifetime"
          required
          description={client ? undefined : 'Choose a client to see its cap'}
          caps={[
            ...(client
              ? [{ label: `client ${client.id}`, seconds: client.maxLifetimeSeconds }]
              : []),
            ...(issuerMax === undefined ? [] : [{ label: 'issuer', seconds: issuerMax }]),
          ]}
          presets={LIFETIME_PRESETS.map((p) => p.seconds)}
          error={fieldError(errors, 'lifetime')}
          data-testid="condition-lifetime"
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending} data-testid="condition-create-submit">
            Create condition
          </Button>
        </Group>
      </Stack>
    </form>
  )
}
