import {
  Button,
  FileButton,
  Group,
  Modal,
  PasswordInput,
  SegmentedControl,
  Input,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core'
import { zodResolver } from '@hookform/resolvers/zod'
import { Controller, useForm, useWatch } from 'react-hook-form'
import type { HubView } from '../../../../shared/contract/index'
import { fieldError, resolverOptions } from '../../lib/form'
import { notify } from '../../lib/notify'
import { readFileText } from '../../lib/read-file'
import { useClients } from '../clients/queries'
import {
  addHubFormSchema,
  emptyAddHubForm,
  type AddHubFormOutput,
  type AddHubFormValues,
} from './hub-form'
import { useAddHub } from './queries'

interface AddHubDialogProps {
  opened: boolean
  onClose: () => void
  onAdded: (hub: HubView) => void
}

export function AddHubDialog({ opened, onClose, onAdded }: AddHubDialogProps) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title="Add hub"
      size="lg"
      attributes={{ content: { 'data-testid': 'add-hub-dialog' } }}
    >
      <AddHubForm onCancel={onClose} onAdded={onAdded} />
    </Modal>
  )
}

function AddHubForm({
  onCancel,
  onAdded,
}: {
  onCancel: () => void
  onAdded: (h: HubView) => void
}) {
  const addHub = useAddHub()
  const clients = useClients()
  const {
    register,
    control,
    handleSubmit,
    setValue,
    formState: { errors },
  } = useForm<AddHubFormValues, unknown, AddHubFormOutput>({
    resolver: zodResolver(addHubFormSchema, resolverOptions),
    defaultValues: emptyAddHubForm,
    mode: 'onTouched',
  })
  const authKind = useWatch({ control, name: 'authKind' })
  const caPem = useWatch({ control, name: 'caPem' })

  const readCa = (file: File | null) => {
    if (!file) return
    readFileText(file).then(
      (text) => setValue('caPem', text, { shouldValidate: true, shouldDirty: true }),
      (err: unknown) => notify.error(err, { title: `Could not read ${file.name}` }),
    )
  }
  const submit = handleSubmit((input) =>
    addHub.mutate(input, {
      onSuccess: (hub) => {
        notify.success(`Hub ${hub.name} added`)
        onAdded(hub)
      },
    }),
  )

  return (
    <form noValidate onSubmit={(e) => void submit(e)} data-testid="add-hub-form">
      <Stack>
        <TextInput
          label="Name"
          description="What the other pages and `--hub NAME` call it"
          required
          data-autofocus
          error={fieldError(errors, 'name')}
          data-testid="hub-name-input"
          {...register('name')}
        />
        <TextInput
          label="http-gateway URL"
          description="Everything else is read from its /.well-known/hub-configuration"
          placeholder="https://api.hub.example"
          required
          error={fieldError(errors, 'url')}
          data-testid="hub-url-input"
          {...register('url')}
        />
        <Input.Wrapper
          label="CA of the hub's TLS certificate"
          description={
            caPem.trim()
              ? 'A CA certificate is loaded'
              : "A PEM file; without one, the system's CAs are trusted"
          }
          error={fieldError(errors, 'caPem')}
        >
          <Group mt={4}>
            <FileButton onChange={readCa} accept=".pem,.crt,.cer,text/plain,application/x-pem-file">
              {(props) => (
                <Button variant="default" size="xs" {...props} data-testid="hub-ca-file">
                  {caPem.trim() ? 'Replace CA file…' : 'Choose CA file…'}
                </Button>
              )}
            </FileButton>
            {caPem.trim() ? (
              <Button
                variant="subtle"
                size="xs"
                onClick={() => setValue('caPem', '', { shouldDirty: true })}
              >
                Clear
              </Button>
            ) : null}
          </Group>
        </Input.Wrapper>
        <Controller
          control={control}
          name="authKind"
          render={({ field }) => (
            <Input.Wrapper
              label="How the console authenticates to the hub"
              description={
                field.value === 'client'
                  ? 'It mints 5-minute tokens for the client, recorded in the ledger'
                  : 'Kept sealed; never shown again'
              }
            >
              <div>
                <SegmentedControl
                  mt={4}
                  data={[
                    { value: 'client', label: 'A client of this issuer' },
                    { value: 'token', label: 'A pasted token' },
                  ]}
                  value={field.value}
                  onChange={field.onChange}
                  name={field.name}
                  data-testid="hub-auth-kind"
                />
              </div>
            </Input.Wrapper>
          )}
        />
        {authKind === 'client' ? (
          <Controller
            control={control}
            name="clientId"
            render={({ field }) => (
              <Select
                label="Client"
                placeholder={clients.isLoading ? 'Loading clients…' : 'Choose a client'}
                data={(clients.data ?? []).map((c) => ({
                  value: c.id,
                  label: c.owner ? `${c.id} (owner ${c.owner})` : c.id,
                }))}
                value={field.value || null}
                onChange={(v) => field.onChange(v ?? '')}
                onBlur={field.onBlur}
                searchable
                nothingFoundMessage="No client: create one on the Clients page"
                error={fieldError(errors, 'clientId')}
                data-testid="hub-client-select"
              />
            )}
          />
        ) : (
          <PasswordInput
            label="Token"
            description="A JWT the hub accepts; its owner claim is the owner of every call"
            autoComplete="off"
            error={fieldError(errors, 'token')}
            data-testid="hub-token-input"
            {...register('token')}
          />
        )}
        <Text size="xs" c="dimmed">
          Adding reads the hub&apos;s configuration: the hub must be reachable now.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={addHub.isPending} data-testid="add-hub-submit">
            Add hub
          </Button>
        </Group>
        {addHub.isError ? (
          <Text c="red" size="sm" role="alert" data-testid="add-hub-error">
            {addHub.error.message}
          </Text>
        ) : null}
      </Stack>
    </form>
  )
}
