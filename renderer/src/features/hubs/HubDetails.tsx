import { Badge, Button, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core'
import { zodResolver } from '@hookform/resolvers/zod'
import { useForm } from 'react-hook-form'
import type { z } from 'zod'
import type { HubView } from '../../../../shared/contract/index'
import { fieldError, resolverOptions } from '../../lib/form'
import {
  cleanOverrides,
  discoveredRows,
  overridesFormSchema,
  overridesFormValues,
  type OverridesFormValues,
} from './hub-form'
import { useUpdateHub } from './queries'

/** What discovery gave (overrides marked), and the override fields. */
export function HubDetails({ hub }: { hub: HubView }) {
  return (
    <Stack gap="sm" data-testid="hub-details">
      <Table withRowBorders={false} verticalSpacing={4}>
        <Table.Tbody>
          {discoveredRows(hub).map(([label, value, overridden]) => (
            <Table.Tr key={label}>
              <Table.Th w={160} fw={500}>
                {label}
              </Table.Th>
              <Table.Td>
                <Text size="sm" ff="monospace" span>
                  {value}
                </Text>{' '}
                {overridden ? (
                  <Badge size="xs" variant="light">
                    override
                  </Badge>
                ) : null}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <OverridesForm key={JSON.stringify(hub.overrides)} hub={hub} />
    </Stack>
  )
}

type OverridesOutput = z.output<typeof overridesFormSchema>

function OverridesForm({ hub }: { hub: HubView }) {
  const update = useUpdateHub()
  const {
    register,
    handleSubmit,
    formState: { errors, isDirty },
  } = useForm<OverridesFormValues, unknown, OverridesOutput>({
    resolver: zodResolver(overridesFormSchema, resolverOptions),
    defaultValues: overridesFormValues(hub.overrides),
    mode: 'onTouched',
  })
  const save = handleSubmit((v) =>
    update.mutate({ name: hub.name, overrides: cleanOverrides(v), rediscover: false }),
  )
  const field = (name: keyof OverridesFormValues, label: string, placeholder: string) => (
    <TextInput
      label={label}
      placeholder={placeholder}
      error={fieldError(errors, name)}
      data-testid={`hub-override-${name}`}
      {...register(name)}
    />
  )
  return (
    <form noValidate onSubmit={(e) => void save(e)} data-testid="hub-overrides-form">
      <Stack gap="xs">
        <Title order={4} size="h6">
          Overrides (empty: what the hub publishes)
        </Title>
        {field('dpsUrl', 'DPS API URL', hub.dpsUrl ?? 'https://dps.hub.example')}
        {field(
          'dpsDeviceEndpoint',
          'DPS address for devices',
          hub.dpsDeviceEndpoint ?? 'coaps+tcp://dps.hub.example:15684',
        )}
        {field(
          'snippetServiceUrl',
          'snippet-service URL',
          hub.snippetServiceUrl ?? 'https://api.hub.example/snippet-service',
        )}
        {field('ownerClaim', 'Owner claim', hub.ownerClaim)}
        {field('deviceIdClaim', 'Device-id claim', hub.deviceIdClaim || 'none')}
        <Group justify="space-between">
          <Button
            variant="subtle"
            size="xs"
            onClick={() => update.mutate({ name: hub.name, rediscover: true })}
            loading={update.isPending}
            data-testid="hub-rediscover"
          >
            Read the hub configuration again
          </Button>
          <Button
            type="submit"
            size="xs"
            disabled={!isDirty}
            loading={update.isPending}
            data-testid="hub-overrides-save"
          >
            Save overrides
          </Button>
        </Group>
        {update.isError ? (
          <Text c="red" size="sm" role="alert">
            {update.error.message}
          </Text>
        ) : null}
      </Stack>
    </form>
  )
}
