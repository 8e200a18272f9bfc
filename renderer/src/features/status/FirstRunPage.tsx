import {
  Alert,
  Button,
  Container,
  Input,
  Paper,
  SegmentedControl,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { zodResolver } from '@hookform/resolvers/zod'
import { Controller, useForm } from 'react-hook-form'
import { SIGNING_ALGORITHMS } from '../../../../shared/enums'
import type { StatusView } from '../../../../shared/contract/index'
import { ThemeToggle } from '../../components/ThemeToggle'
import { fieldError, resolverOptions } from '../../lib/form'
import { firstRunFormSchema, type FirstRunFormValues, type FirstRunInput } from './first-run-form'
import { useCompleteSetup } from './queries'

/** Shown until `status.setupCompleted`: where secrets live, how hubs reach us, which key. */
export function FirstRunPage({ status }: { status: StatusView }) {
  const completeSetup = useCompleteSetup()
  const {
    register,
    control,
    handleSubmit,
    formState: { errors },
  } = useForm<FirstRunFormValues, unknown, FirstRunInput>({
    resolver: zodResolver(firstRunFormSchema, resolverOptions),
    defaultValues: {
      publicHost: status.settings.publicHost ?? '',
      port: String(status.settings.port),
      exposeOnLan: false,
      alg: 'ES256',
    },
  })

  const onSubmit = handleSubmit((input) => completeSetup.mutate(input))

  return (
    <Container size="sm" py="xl">
      <Stack>
        <Stack gap={4}>
          <Title order={1}>Set up the plgd M2M Console</Title>
          <Text c="dimmed">
            A local OAuth 2.0 token issuer for your plgd hub: choose where secrets live, how hubs
            reach it and how it signs.
          </Text>
        </Stack>

        <Paper withBorder p="md" data-testid="first-run-vault" data-vault-mode={status.vault.mode}>
          <Title order={2} size="h4" mb="xs">
            Secret storage
          </Title>
          {status.vault.mode === 'keychain' ? (
            <Alert color="green" title="OS keychain available">
              The console&apos;s signing keys and secrets are sealed with a key held in the
              operating system&apos;s keychain.
            </Alert>
          ) : (
            <Alert
              color="yellow"
              title="Passphrase vault"
              data-testid="first-run-passphrase-warning"
            >
              No OS keychain is reachable, so secrets are sealed with your passphrase. They depend
              on it: without the passphrase the console cannot start, and a lost passphrase means
              new signing keys and new client secrets.
            </Alert>
          )}
        </Paper>

        <Paper
          withBorder
          p="md"
          component="form"
          onSubmit={onSubmit}
          noValidate
          data-testid="first-run-form"
        >
          <Stack>
            <Title order={2} size="h4">
              Issuer
            </Title>
            <TextInput
              label="Issuer host name"
              description="The name hubs use to reach this issuer; it goes into the issuer URL and the TLS certificate. Leave empty for 127.0.0.1."
              placeholder="provisioning-station.local"
              error={fieldError(errors, 'publicHost')}
              data-testid="first-run-public-host"
              {...register('publicHost')}
            />
            <TextInput
              label="Port"
              description="1-65535. 0 picks a free port at the first start and keeps it: hubs trust one exact issuer URL, port included."
              inputMode="numeric"
              error={fieldError(errors, 'port')}
              data-testid="first-run-port"
              {...register('port')}
            />
            <Controller
              control={control}
              name="exposeOnLan"
              render={({ field }) => (
                <Switch
                  label="Expose on the LAN"
                  description="Listen on every interface so hubs on the network can fetch tokens and keys. Off: loopback only."
                  checked={field.value ?? false}
                  onChange={(e) => field.onChange(e.currentTarget.checked)}
                  onBlur={field.onBlur}
                  name={field.name}
                  ref={field.ref}
                  data-testid="first-run-expose-lan"
                />
              )}
            />
            <Controller
              control={control}
              name="alg"
              render={({ field }) => (
                <Input.Wrapper
                  label="Signing key algorithm"
                  description="ES256 suits every plgd hub; RS256 for verifiers without EC support."
                >
                  <div>
                    <SegmentedControl
                      data={[...SIGNING_ALGORITHMS]}
                      value={field.value ?? 'ES256'}
                      onChange={field.onChange}
                      name={field.name}
                      data-testid="first-run-alg"
                    />
                  </div>
                </Input.Wrapper>
              )}
            />
            <Button type="submit" loading={completeSetup.isPending} data-testid="first-run-submit">
              Complete setup
            </Button>
          </Stack>
        </Paper>
        <div>
          <ThemeToggle />
        </div>
      </Stack>
    </Container>
  )
}
