import {
  Alert,
  Button,
  Checkbox,
  Group,
  Input,
  NumberInput,
  SegmentedControl,
  Stack,
  TextInput,
} from '@mantine/core'
import { zodResolver } from '@hookform/resolvers/zod'
import { Controller, useForm } from 'react-hook-form'
import { fieldError, resolverOptions } from '../../lib/form'
import {
  discoverFormSchema,
  emptyDiscoverForm,
  type DiscoverFormOutput,
  type DiscoverFormValues,
} from './discover-form'
import { useStartLocalJob } from './queries'

interface DiscoverFormProps {
  sessionUrl: string | null
  /** client-application's own default, shown as the timeout's placeholder. */
  defaultTimeoutSeconds: number | null
  /** Why discovery cannot start now (not running, not initialised); null when it can. */
  blocked: string | null
  running: boolean
  onStarted: (jobId: string) => void
}

/** Where and what to look for: addresses, multicast, ownership and types, a timeout. */
export function DiscoverForm({
  sessionUrl,
  defaultTimeoutSeconds,
  blocked,
  running,
  onStarted,
}: DiscoverFormProps) {
  const start = useStartLocalJob()
  const {
    register,
    control,
    handleSubmit,
    formState: { errors },
  } = useForm<DiscoverFormValues, unknown, DiscoverFormOutput>({
    resolver: zodResolver(discoverFormSchema, resolverOptions),
    defaultValues: emptyDiscoverForm,
  })
  const onSubmit = handleSubmit((values) =>
    start.mutate(
      {
        method: 'local.discover',
        input: { ...values, ...(sessionUrl ? { clientAppUrl: sessionUrl } : {}) },
      },
      { onSuccess: ({ jobId }) => onStarted(jobId) },
    ),
  )
  return (
    <form onSubmit={onSubmit} noValidate data-testid="local-discover-form">
      <Stack gap="xs">
        <Group align="flex-start" grow>
          <TextInput
            label="IP addresses"
            description="host or host:port, several separated by spaces or commas"
            placeholder="192.168.1.20 [fe80::1]:5683"
            error={fieldError(errors, 'ips')}
            data-testid="local-discover-ips"
            {...register('ips')}
          />
          <TextInput
            label="Types"
            description="Comma separated; all must match"
            placeholder="any"
            error={fieldError(errors, 'types')}
            data-testid="local-discover-types"
            {...register('types')}
          />
        </Group>
        <Group align="flex-end">
          <Input.Wrapper label="Multicast">
            <Group gap="sm" mt={6}>
              <Checkbox label="IPv4" data-testid="local-discover-ipv4" {...register('ipv4')} />
              <Checkbox label="IPv6" data-testid="local-discover-ipv6" {...register('ipv6')} />
            </Group>
          </Input.Wrapper>
          <Controller
            control={control}
            name="ownership"
            render={({ field }) => (
              <Input.Wrapper label="Ownership">
                <div>
                  <SegmentedControl
                    data={[
                      { value: 'any', label: 'any' },
                      { value: 'UNOWNED', label: 'unowned' },
                      { value: 'OWNED', label: 'owned' },
                    ]}
                    value={field.value}
                    onChange={field.onChange}
                    name={field.name}
                    data-testid="local-discover-ownership"
                  />
                </div>
              </Input.Wrapper>
            )}
          />
          <Controller
            control={control}
            name="timeoutSeconds"
            render={({ field }) => (
              <NumberInput
                label="Timeout (seconds)"
                placeholder={
                  defaultTimeoutSeconds ? `${defaultTimeoutSeconds} (its default)` : 'its default'
                }
                allowNegative={false}
                decimalScale={1}
                w={170}
                value={field.value}
                onChange={field.onChange}
                onBlur={field.onBlur}
                name={field.name}
                error={fieldError(errors, 'timeoutSeconds')}
                data-testid="local-discover-timeout"
              />
            )}
          />
          <Button
            type="submit"
            loading={start.isPending}
            disabled={blocked !== null || running}
            data-testid="local-discover-start"
          >
            Discover
          </Button>
        </Group>
        {blocked && (
          <Input.Description data-testid="local-discover-blocked">{blocked}</Input.Description>
        )}
        {start.isError && (
          <Alert color="red" title="Discovery did not start" data-testid="local-discover-failed">
            {start.error.message}
          </Alert>
        )}
      </Stack>
    </form>
  )
}
