import {
  Alert,
  Button,
  Group,
  Modal,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core'
import { zodResolver } from '@hookform/resolvers/zod'
import { Controller, useForm, useWatch } from 'react-hook-form'
import type { ClientView } from '../../../../shared/contract/index'
import { DurationField } from '../../components/DurationField'
import { WholeNumberField } from '../../components/WholeNumberField'
import { fieldError, resolverOptions } from '../../lib/form'
import { formatDuration } from '../../lib/format'
import { useClients } from '../clients/queries'
import { HubSelect } from '../hubs/HubSelect'
import { useStatus } from '../status/queries'
import {
  buildOnboardFormSchema,
  emptyOnboardForm,
  emptyPointForm,
  pointFormSchema,
  tokenLifetimeBound,
  type OnboardFormOutput,
  type OnboardFormValues,
  type PointFormOutput,
  type PointFormValues,
} from './bench-forms'
import { useStartLocalJob } from './queries'

interface BenchDialogProps {
  deviceIds: string[]
  sessionUrl: string | null
  onStarted: (jobId: string) => void
  onClose: () => void
}

const clientOptions = (clients: ClientView[]) =>
  clients.map((c) => ({ value: c.id, label: `${c.id} (owner ${c.owner})` }))

const devicesText = (ids: string[]) => (ids.length === 1 ? (ids[0] ?? '') : `${ids.length} devices`)

/**
 * Onboard directly: each device gets the hub's coap-gateway, hub id, CA and provider, and a
 * token this issuer mints as its authorization code.
 */
export function OnboardDialog({ deviceIds, sessionUrl, onStarted, onClose }: BenchDialogProps) {
  const start = useStartLocalJob()
  const clients = useClients()
  const status = useStatus()
  const issuerMax = status.data?.settings.maxLifetimeSeconds ?? Infinity
  const list = clients.data ?? []
  const {
    register,
    control,
    handleSubmit,
    formState: { errors },
  } = useForm<OnboardFormValues, unknown, OnboardFormOutput>({
    resolver: zodResolver(buildOnboardFormSchema(list, issuerMax), resolverOptions),
    defaultValues: emptyOnboardForm(null),
  })
  const clientId = useWatch({ control, name: 'clientId' })
  const client = list.find((c) => c.id === clientId)
  const bound = tokenLifetimeBound(client, issuerMax)
  const onSubmit = handleSubmit((values) =>
    start.mutate(
      {
        method: 'local.onboard',
        input: { ...values, deviceIds, ...(sessionUrl ? { clientAppUrl: sessionUrl } : {}) },
      },
      { onSuccess: ({ jobId }) => onStarted(jobId) },
    ),
  )
  return (
    <Modal
      opened
      onClose={onClose}
      title={`Onboard ${devicesText(deviceIds)} directly`}
      size="lg"
      attributes={{ content: { 'data-testid': 'local-onboard-dialog' } }}
    >
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <Text size="sm" data-testid="local-onboard-explain">
            Each device gets the hub&apos;s coap-gateway address, hub id and CA, and as its
            authorization code a token this issuer mints for the chosen client with the
            client-application&apos;s owner as owner claim. coap-gateway&apos;s provider must trust
            this issuer for that client; if it does not, the failed device shows the provider YAML
            to add.
          </Text>
          <SimpleGrid cols={2}>
            <Controller
              control={control}
              name="hub"
              render={({ field }) => (
                <Stack gap={2}>
                  <HubSelect value={field.value} onChange={field.onChange} />
                  {errors.hub ? (
                    <Text size="xs" c="red">
                      {fieldError(errors, 'hub')}
                    </Text>
                  ) : null}
                </Stack>
              )}
            />
            <Controller
              control={control}
              name="clientId"
              render={({ field }) => (
                <Select
                  label="Client"
                  description="The client coap-gateway's provider accepts"
                  required
                  searchable
                  placeholder={clients.isLoading ? 'Loading clients…' : 'Choose a client'}
                  data={clientOptions(list)}
                  nothingFoundMessage="No client: create one on the Clients page"
                  value={field.value}
                  onChange={field.onChange}
                  onBlur={field.onBlur}
                  error={fieldError(errors, 'clientId')}
                  data-testid="local-onboard-client"
                />
              )}
            />
            <TextInput
              label="Provider name"
              description="coap-gateway's provider for this issuer (apn)"
              error={fieldError(errors, 'providerName')}
              data-testid="local-onboard-provider"
              {...register('providerName')}
            />
            <DurationField
              control={control}
              name="tokenLifetimeSeconds"
              label="Token lifetime"
              description={`At least 1 min, at most ${formatDuration(bound)}${client ? ` for ${client.id}` : ''}`}
              caps={[{ label: client ? `for ${client.id}` : 'issuer', seconds: bound }]}
              error={fieldError(errors, 'tokenLifetimeSeconds')}
              data-testid="local-onboard-lifetime"
            />
            <WholeNumberField
              control={control}
              name="timeoutSeconds"
              label="Give up on a device after (seconds)"
              description="Not registered at the hub by then: timeout"
              min={1}
              error={fieldError(errors, 'timeoutSeconds')}
              data-testid="local-onboard-timeout"
            />
          </SimpleGrid>
          {start.isError && (
            <Alert color="red" title="Onboarding did not start" data-testid="local-onboard-failed">
              {start.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={start.isPending} data-testid="local-onboard-submit">
              Onboard
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  )
}

/** Point at DPS: write the hub's device-facing DPS address into each device, then follow it. */
export function PointAtDpsDialog({ deviceIds, sessionUrl, onStarted, onClose }: BenchDialogProps) {
  const start = useStartLocalJob()
  const clients = useClients()
  const {
    control,
    handleSubmit,
    formState: { errors },
  } = useForm<PointFormValues, unknown, PointFormOutput>({
    resolver: zodResolver(pointFormSchema, resolverOptions),
    defaultValues: emptyPointForm(null),
  })
  const onSubmit = handleSubmit((values) =>
    start.mutate(
      {
        method: 'local.pointAtDps',
        input: { ...values, deviceIds, ...(sessionUrl ? { clientAppUrl: sessionUrl } : {}) },
      },
      { onSuccess: ({ jobId }) => onStarted(jobId) },
    ),
  )
  return (
    <Modal
      opened
      onClose={onClose}
      title={`Point ${devicesText(deviceIds)} at DPS`}
      size="lg"
      attributes={{ content: { 'data-testid': 'local-point-dialog' } }}
    >
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <Text size="sm">
            Each device&apos;s <code>/plgd/dps</code> resource gets the hub profile&apos;s
            device-facing DPS address; its provisioning status and the record at DPS are then
            followed side by side, so a failed step shows where it failed.
          </Text>
          <SimpleGrid cols={2}>
            <Controller
              control={control}
              name="hub"
              render={({ field }) => (
                <Stack gap={2}>
                  <HubSelect value={field.value} onChange={field.onChange} />
                  {errors.hub ? (
                    <Text size="xs" c="red">
                      {fieldError(errors, 'hub')}
                    </Text>
                  ) : null}
                </Stack>
              )}
            />
            <Controller
              control={control}
              name="clientId"
              render={({ field }) => (
                <Select
                  label="DPS client"
                  description="Reads the provisioning records; empty: the hub profile's"
                  clearable
                  searchable
                  placeholder="the hub profile's"
                  data={clientOptions(clients.data ?? [])}
                  value={field.value}
                  onChange={field.onChange}
                  onBlur={field.onBlur}
                  error={fieldError(errors, 'clientId')}
                  data-testid="local-point-client"
                />
              )}
            />
            <WholeNumberField
              control={control}
              name="timeoutSeconds"
              label="Give up on a device after (seconds)"
              min={1}
              error={fieldError(errors, 'timeoutSeconds')}
              data-testid="local-point-timeout"
            />
          </SimpleGrid>
          {start.isError && (
            <Alert color="red" title="Did not start" data-testid="local-point-failed">
              {start.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={start.isPending} data-testid="local-point-submit">
              Point at DPS
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  )
}
