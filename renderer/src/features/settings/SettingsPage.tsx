import {
  Alert,
  Button,
  Group,
  Paper,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core'
import { zodResolver } from '@hookform/resolvers/zod'
import { useState } from 'react'
import { Controller, useForm } from 'react-hook-form'
import {
  AUTHORITY_CHANGE_WARNING,
  RESTART_HINT,
  authorityFor,
  type MethodInput,
  type SettingsChangeEffects,
  type SettingsView,
  type StatusView,
} from '../../../../shared/contract/index'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { LoadFailed } from '../../components/LoadFailed'
import { BackupSection } from '../backup/BackupSection'
import { fieldError, resolverOptions } from '../../lib/form'
import { notify } from '../../lib/notify'
import { useStatus } from '../status/queries'
import { useUpdateSettings } from './queries'
import {
  changedSettings,
  changesAddress,
  formValues,
  settingsFormSchema,
  type SettingsFormOutput,
  type SettingsFormValues,
} from './settings-form'

/** What only the CLI could change before: the issuer's address, mode, limits and claims. */
export function SettingsPage() {
  const status = useStatus()
  if (!status.data)
    return status.isError ? (
      <LoadFailed what="the settings" onRetry={() => void status.refetch()} />
    ) : null
  return <SettingsForm status={status.data} />
}

/** The issuer URL the patch would give hubs, or null when it stays the same. */
function nextAuthority(status: StatusView, patch: MethodInput<'settings.update'>): string | null {
  if (!changesAddress(patch)) return null
  const current = status.issuer.issuer
  const scheme = new URL(current).protocol.replace(':', '')
  const next = { ...status.settings, ...patch } as SettingsView
  const url = authorityFor(next, scheme) ?? `${scheme}://… (a port chosen at the next start)`
  return url === current ? null : url
}

function SettingsForm({ status }: { status: StatusView }) {
  const update = useUpdateSettings()
  const [pending, setPending] = useState<{ patch: MethodInput<'settings.update'>; to: string }>()
  const [effects, setEffects] = useState<SettingsChangeEffects | null>(null)
  const {
    register,
    control,
    handleSubmit,
    reset,
    formState: { errors, isDirty },
  } = useForm<SettingsFormValues, unknown, SettingsFormOutput>({
    resolver: zodResolver(settingsFormSchema, resolverOptions),
    defaultValues: formValues(status.settings),
  })

  const save = (patch: MethodInput<'settings.update'>) =>
    update.mutate(patch, {
      onSuccess: (view) => {
        setPending(undefined)
        setEffects(view.effects)
        reset(formValues(view))
        notify.success('The settings are saved', 'Saved')
      },
    })

  const onSubmit = handleSubmit((values) => {
    const patch = changedSettings(status.settings, values)
    if (Object.keys(patch).length === 0) return
    const to = nextAuthority(status, patch)
    // Hubs trust one exact URL: the change is confirmed with what it breaks.
    if (to) setPending({ patch, to })
    else save(patch)
  })

  return (
    <Stack maw={760}>
      <Title order={2}>Settings</Title>
      <Text size="sm" c="dimmed">
        The issuer&apos;s address and mode, token limits and claims. The same settings as{' '}
        <code>settings set</code> on the command line.
      </Text>
      {effects && effects.restartNeeded.length > 0 && (
        <Alert color="yellow" title="Restart needed" data-testid="settings-restart">
          {`Changed: ${effects.restartNeeded.join(', ')}. ${capitalise(RESTART_HINT)}.`}
        </Alert>
      )}
      <form onSubmit={(e) => void onSubmit(e)} noValidate data-testid="settings-form">
        <Stack>
          <Paper withBorder p="md">
            <Stack>
              <Title order={3} size="h4">
                Address
              </Title>
              <Text size="sm" c="dimmed" data-testid="settings-authority">
                Hubs trust this issuer as <code>{status.issuer.issuer}</code>. A change of host or
                port changes that URL.
              </Text>
              <TextInput
                label="Public host"
                description="The name hubs use to reach the issuer; it goes into the issuer URL and the TLS certificate. Empty: the listen address."
                error={fieldError(errors, 'publicHost')}
                data-testid="settings-public-host"
                {...register('publicHost')}
              />
              <TextInput
                label="Port"
                description="1-65535; 0 picks a free port at the next start and keeps it, so the issuer URL stays the same."
                inputMode="numeric"
                error={fieldError(errors, 'port')}
                data-testid="settings-port"
                {...register('port')}
              />
              <TextInput
                label="Listen address (LAN exposure)"
                description="127.0.0.1: this machine only, hubs elsewhere cannot reach it. 0.0.0.0: every interface (needs the public host)."
                error={fieldError(errors, 'listenHost')}
                data-testid="settings-listen-host"
                {...register('listenHost')}
              />
              <Controller
                control={control}
                name="station"
                render={({ field }) => (
                  <Switch
                    label="Station mode"
                    description="An always-on issuer: discovery advertises the tokens endpoint, so hubs check every token and honour revocations. Off: hubs accept a token until it expires, revoked or not."
                    checked={field.value}
                    onChange={(e) => field.onChange(e.currentTarget.checked)}
                    onBlur={field.onBlur}
                    name={field.name}
                    ref={field.ref}
                    data-testid="settings-station"
                  />
                )}
              />
            </Stack>
          </Paper>
          <Paper withBorder p="md">
            <Stack>
              <Title order={3} size="h4">
                Tokens
              </Title>
              <TextInput
                label="Maximum lifetime (seconds)"
                description="A cap on every token's lifetime, whatever a client asks."
                inputMode="numeric"
                error={fieldError(errors, 'maxLifetimeSeconds')}
                data-testid="settings-max-lifetime"
                {...register('maxLifetimeSeconds')}
              />
              <TextInput
                label="iat backdate (seconds)"
                description="iat is set this far in the past, for hubs whose clock runs behind (0-300)."
                inputMode="numeric"
                error={fieldError(errors, 'iatBackdateSeconds')}
                data-testid="settings-iat-backdate"
                {...register('iatBackdateSeconds')}
              />
              <TextInput
                label="Owner claim"
                error={fieldError(errors, 'ownerClaim')}
                data-testid="settings-owner-claim"
                {...register('ownerClaim')}
              />
              <TextInput
                label="Device id claim"
                error={fieldError(errors, 'deviceIdClaim')}
                data-testid="settings-device-id-claim"
                {...register('deviceIdClaim')}
              />
              <Textarea
                label="Trusted authorities"
                description="https:// URLs of authorities whose users may call the tokens API, one a line. A CA for one is given with settings set --trusted-ca."
                autosize
                minRows={2}
                error={fieldError(errors, 'trustedAuthorities')}
                data-testid="settings-trusted-authorities"
                {...register('trustedAuthorities')}
              />
            </Stack>
          </Paper>
          <Paper withBorder p="md">
            <Stack>
              <Title order={3} size="h4">
                Bench and jobs
              </Title>
              <TextInput
                label="client-application URL"
                description="The plgd client-application the Bench uses unless it names another."
                error={fieldError(errors, 'clientAppUrl')}
                data-testid="settings-client-app-url"
                {...register('clientAppUrl')}
              />
              <TextInput
                label="Job concurrency"
                description="Requests in flight per bulk job unless the job sets its own (1-256)."
                inputMode="numeric"
                error={fieldError(errors, 'jobConcurrency')}
                data-testid="settings-job-concurrency"
                {...register('jobConcurrency')}
              />
            </Stack>
          </Paper>
          <Group>
            <Button
              type="submit"
              disabled={!isDirty}
              loading={update.isPending && !pending}
              data-testid="settings-save"
            >
              Save settings
            </Button>
          </Group>
        </Stack>
      </form>
      <ConfirmDialog
        opened={pending !== undefined}
        title="Change the issuer URL?"
        confirmLabel="Change the issuer URL"
        color="orange"
        loading={update.isPending}
        onConfirm={() => pending && save(pending.patch)}
        onClose={() => setPending(undefined)}
        testId="settings-authority-confirm"
      >
        <Text size="sm">
          From <code>{status.issuer.issuer}</code> to <code>{pending?.to}</code>.
        </Text>
        <Text size="sm">{AUTHORITY_CHANGE_WARNING}.</Text>
      </ConfirmDialog>
      <BackupSection />
    </Stack>
  )
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
