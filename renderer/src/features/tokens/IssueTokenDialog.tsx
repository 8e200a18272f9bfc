import {
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
import type { ClientView, IssuedToken } from '../../../../shared/contract/index'
import { LoadFailed } from '../../components/LoadFailed'
import { fieldError, resolverOptions } from '../../lib/form'
import { formatDuration } from '../../lib/format'
import { useClients } from '../clients/queries'
import { useStatus } from '../status/queries'
import {
  buildIssueFormSchema,
  canIssueFor,
  effectiveMaxLifetime,
  emptyIssueForm,
  type IssueFormOutput,
  type IssueFormValues,
} from './issue-form'
import { useIssueToken } from './queries'
import { TokenResult } from './TokenResult'
import { DurationField } from '../../components/DurationField'

interface IssueTokenDialogProps {
  opened: boolean
  onClose: () => void
  defaultClientId?: string | null
}

export function IssueTokenDialog({
  opened,
  onClose,
  defaultClientId = null,
}: IssueTokenDialogProps) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title="Issue a token"
      size="xl"
      attributes={{ content: { 'data-testid': 'issue-token-dialog' } }}
    >
      <IssueTokenContent onClose={onClose} defaultClientId={defaultClientId} />
    </Modal>
  )
}

function IssueTokenContent({
  onClose,
  defaultClientId,
}: {
  onClose: () => void
  defaultClientId: string | null
}) {
  const [issued, setIssued] = useState<IssuedToken | null>(null)
  const clients = useClients()
  const status = useStatus()
  if (issued) {
    return (
      <Stack>
        <TokenResult token={issued} />
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setIssued(null)} data-testid="issue-another">
            Issue another
          </Button>
          <Button onClick={onClose} data-testid="issue-done">
            Done
          </Button>
        </Group>
      </Stack>
    )
  }
  if (!clients.data || !status.data) {
    if (clients.isError || status.isError) {
      return (
        <LoadFailed
          what="the clients"
          onRetry={() => void Promise.all([clients.refetch(), status.refetch()])}
        />
      )
    }
    return <Loader aria-label="Loading clients" />
  }
  return (
    <IssueTokenForm
      clients={clients.data}
      issuerMax={status.data.settings.maxLifetimeSeconds}
      defaultClientId={defaultClientId}
      onCancel={onClose}
      onIssued={setIssued}
    />
  )
}

function IssueTokenForm({
  clients,
  issuerMax,
  defaultClientId,
  onCancel,
  onIssued,
}: {
  clients: ClientView[]
  issuerMax: number
  defaultClientId: string | null
  onCancel: () => void
  onIssued: (token: IssuedToken) => void
}) {
  const issue = useIssueToken()
  const schema = useMemo(() => buildIssueFormSchema(clients, issuerMax), [clients, issuerMax])
  const usable = clients.filter(canIssueFor)
  const initialClient = defaultClientId ?? (usable.length === 1 ? (usable[0]?.id ?? null) : null)
  const {
    register,
    control,
    handleSubmit,
    setValue,
    formState: { errors },
  } = useForm<IssueFormValues, unknown, IssueFormOutput>({
    resolver: zodResolver(schema, resolverOptions),
    defaultValues: emptyIssueForm(initialClient),
  })
  const clientId = useWatch({ control, name: 'clientId' })
  const client = clients.find((c) => c.id === clientId)
  const max = client ? effectiveMaxLifetime(client, issuerMax) : null

  const onSubmit = handleSubmit((input) => issue.mutate(input, { onSuccess: onIssued }))

  if (clients.length === 0) {
    return (
      <Stack>
        <Text>There are no clients yet: create one on the Clients page first.</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Close
          </Button>
        </Group>
      </Stack>
    )
  }

  return (
    <form onSubmit={onSubmit} noValidate data-testid="issue-token-form">
      <Stack>
        <Controller
          control={control}
          name="clientId"
          render={({ field }) => (
            <Select
              label="Client"
              required
              searchable
              placeholder="Choose a client"
              data={clients.map((c) => ({
                value: c.id,
                label: canIssueFor(c)
                  ? `${c.id} (owner ${c.owner})`
                  : `${c.id} (${c.disabled ? 'disabled' : 'user assertion only'})`,
                disabled: !canIssueFor(c),
              }))}
              value={field.value}
              onChange={(v) => {
                field.onChange(v)
                setValue('owner', null)
              }}
              onBlur={field.onBlur}
              name={field.name}
              ref={field.ref}
              error={fieldError(errors, 'clientId')}
              data-autofocus
              data-testid="issue-client-select"
            />
          )}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="Audiences"
            description={
              client
                ? client.audiences.length
                  ? `Allowed: ${client.audiences.join(' ')}`
                  : 'This client issues tokens without an audience'
                : 'Comma or space separated'
            }
            error={fieldError(errors, 'audiences')}
            data-testid="issue-audiences"
            {...register('audiences')}
          />
          <TextInput
            label="Scopes"
            description={
              client
                ? client.scopes.length
                  ? `Allowed: ${client.scopes.join(' ')}; empty: all of them`
                  : 'This client has no scopes'
                : 'Comma or space separated'
            }
            error={fieldError(errors, 'scopes')}
            data-testid="issue-scopes"
            {...register('scopes')}
          />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <DurationField
            control={control}
            name="lifetimeSeconds"
            label="Lifetime"
            description={
              max !== null
                ? `At most ${max} s (${formatDuration(max)}); empty: the maximum`
                : 'Empty: the client’s maximum'
            }
            caps={
              client
                ? [
                    { label: `client ${client.id}`, seconds: client.maxLifetimeSeconds },
                    { label: 'issuer', seconds: issuerMax },
                  ]
                : [{ label: 'issuer', seconds: issuerMax }]
            }
            error={fieldError(errors, 'lifetimeSeconds')}
            data-testid="issue-lifetime"
          />
          <TextInput
            label="Name"
            description="A label for the ledger (optional)"
            error={fieldError(errors, 'name')}
            data-testid="issue-name"
            {...register('name')}
          />
        </SimpleGrid>
        {client?.allowDeviceId && (
          <TextInput
            label="Device id"
            description="Sets the device-id claim"
            error={fieldError(errors, 'deviceId')}
            data-testid="issue-device-id"
            {...register('deviceId')}
          />
        )}
        {client && client.allowedOwners.length > 0 && (
          <Controller
            control={control}
            name="owner"
            render={({ field }) => (
              <Select
                label="Owner"
                description="Mint for one of the client's allowed owners"
                data={[client.owner, ...client.allowedOwners]}
                value={field.value ?? client.owner}
                onChange={field.onChange}
                onBlur={field.onBlur}
                name={field.name}
                ref={field.ref}
                allowDeselect={false}
                error={fieldError(errors, 'owner')}
                data-testid="issue-owner"
              />
            )}
          />
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={issue.isPending} data-testid="issue-submit">
            Issue token
          </Button>
        </Group>
      </Stack>
    </form>
  )
}
