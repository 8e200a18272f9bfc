import { ActionIcon, Button, Group, Modal, Stack, Text, Textarea, TextInput } from '@mantine/core'
import { zodResolver } from '@hookform/resolvers/zod'
import { useFieldArray, useForm } from 'react-hook-form'
import { WholeNumberField } from '../../components/WholeNumberField'
import { fieldError, resolverOptions } from '../../lib/form'
import {
  configFormSchema,
  emptyConfigForm,
  toCreateInput,
  type ConfigFormOutput,
  type ConfigFormValues,
} from './config-form'
import { useCreateConfig } from './queries'

/** A configuration as rows of href + JSON content, sent base64 as the snippet-service wants. */
export function CreateConfigDialog({
  hub,
  opened,
  onClose,
}: {
  hub: string
  opened: boolean
  onClose: () => void
}) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={`New configuration at ${hub}`}
      size="xl"
      attributes={{ content: { 'data-testid': 'create-config-dialog' } }}
    >
      <CreateConfigForm hub={hub} onDone={onClose} />
    </Modal>
  )
}

function CreateConfigForm({ hub, onDone }: { hub: string; onDone: () => void }) {
  const create = useCreateConfig()
  const {
    register,
    control,
    handleSubmit,
    formState: { errors },
  } = useForm<ConfigFormValues, unknown, ConfigFormOutput>({
    resolver: zodResolver(configFormSchema, resolverOptions),
    defaultValues: emptyConfigForm(),
  })
  const rows = useFieldArray({ control, name: 'resources' })
  const onSubmit = handleSubmit((form) =>
    create.mutate(toCreateInput(hub, form), { onSuccess: onDone }),
  )
  return (
    <form onSubmit={onSubmit} noValidate data-testid="create-config-form">
      <Stack>
        <TextInput
          label="Name"
          required
          data-autofocus
          error={fieldError(errors, 'name')}
          data-testid="config-name"
          {...register('name')}
        />
        {rows.fields.map((row, i) => (
          <Group key={row.id} align="flex-start" wrap="nowrap" data-testid={`config-row-${i}`}>
            <TextInput
              label="Resource href"
              placeholder="/light/1"
              required
              w={200}
              error={fieldError(errors, `resources.${i}.href`)}
              data-testid={`config-href-${i}`}
              {...register(`resources.${i}.href`)}
            />
            <Textarea
              label="Content (JSON)"
              required
              autosize
              minRows={2}
              style={{ flex: 1 }}
              styles={{ input: { fontFamily: 'monospace' } }}
              error={fieldError(errors, `resources.${i}.json`)}
              data-testid={`config-json-${i}`}
              {...register(`resources.${i}.json`)}
            />
            <ActionIcon
              mt={28}
              variant="subtle"
              color="red"
              aria-label={`Remove resource ${i + 1}`}
              disabled={rows.fields.length === 1}
              onClick={() => rows.remove(i)}
            >
              ×
            </ActionIcon>
          </Group>
        ))}
        {fieldError(errors, 'resources') && rows.fields.length === 0 ? (
          <Text c="red" size="sm">
            {fieldError(errors, 'resources')}
          </Text>
        ) : null}
        <Group>
          <Button
            variant="default"
            onClick={() => rows.append({ href: '', json: '{}' })}
            data-testid="config-add-row"
          >
            Add a resource
          </Button>
        </Group>
        <WholeNumberField
          control={control}
          name="ttlSeconds"
          label="Time to live (seconds)"
          description="How long the hub waits for a device to take each update; empty: no limit"
          error={fieldError(errors, 'ttlSeconds')}
          data-testid="config-ttl"
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending} data-testid="config-create-submit">
            Create
          </Button>
        </Group>
      </Stack>
    </form>
  )
}
