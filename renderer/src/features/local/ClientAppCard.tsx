import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Code,
  Group,
  Loader,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { zodResolver } from '@hookform/resolvers/zod'
import { useState } from 'react'
import { Controller, useForm } from 'react-hook-form'
import {
  clientAppUrl,
  type LocalProblem,
  type LocalStatus,
} from '../../../../shared/contract/index'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { fieldError, resolverOptions } from '../../lib/form'
import { formatTime } from '../../lib/format'
import { useClients } from '../clients/queries'
import { HubSelect } from '../hubs/HubSelect'
import {
  buildInitFormSchema,
  emptyInitForm,
  initNeedsOf,
  type InitFormOutput,
  type InitFormValues,
  type InitNeeds,
} from './init-form'
import { useLocalInit, useLocalReset, useLocalStatus, useSaveClientAppUrl } from './queries'

const PROBLEM_TITLES: Record<LocalProblem, string> = {
  not_running: 'Not running',
  not_initialized: 'Not initialised',
  other_owner: 'Initialised by another owner',
  no_credentials: 'No credentials',
  unreachable_hub: 'Hub unreachable',
}

interface ClientAppCardProps {
  /** The setting's URL: what calls use when the session names none. */
  savedUrl: string
  /** The session's URL, or null for the setting. */
  sessionUrl: string | null
  onSessionUrl: (url: string | null) => void
}

/** The client-application in use: where it is, its state and problems, initialise and reset. */
export function ClientAppCard({ savedUrl, sessionUrl, onSessionUrl }: ClientAppCardProps) {
  const status = useLocalStatus(sessionUrl)
  return (
    <Card withBorder data-testid="local-client-app">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <Title order={3} size="h4">
            Client-application
          </Title>
          <Button
            size="xs"
            variant="default"
            loading={status.isFetching}
            onClick={() => void status.refetch()}
            data-testid="local-status-refresh"
          >
            Check again
          </Button>
        </Group>
        <UrlField savedUrl={savedUrl} sessionUrl={sessionUrl} onSessionUrl={onSessionUrl} />
        {status.isPending ? (
          <Loader size="sm" aria-label="Reading the client-application's state" />
        ) : status.isError ? (
          <Alert color="red" title="Cannot read its state" data-testid="local-status-failed">
            {status.error.message}
          </Alert>
        ) : (
          <StatusView status={status.data} sessionUrl={sessionUrl} />
        )}
      </Stack>
    </Card>
  )
}

function UrlField({ savedUrl, sessionUrl, onSessionUrl }: ClientAppCardProps) {
  const [text, setText] = useState(sessionUrl ?? savedUrl)
  const [error, setError] = useState<string | null>(null)
  const save = useSaveClientAppUrl()
  const inUse = sessionUrl ?? savedUrl
  const parsed = () => {
    const result = clientAppUrl.safeParse(text)
    setError(result.success ? null : (result.error.issues[0]?.message ?? 'not a URL'))
    return result.success ? result.data : null
  }
  const use = (e: React.FormEvent) => {
    e.preventDefault()
    const url = parsed()
    if (url !== null) onSessionUrl(url === savedUrl ? null : url)
  }
  const saveAsDefault = () => {
    const url = parsed()
    if (url === null) return
    save.mutate(url, { onSuccess: () => onSessionUrl(null) })
  }
  return (
    <form onSubmit={use} noValidate data-testid="local-url-form">
      <Group align="flex-end" wrap="nowrap">
        <TextInput
          label="URL"
          description={
            sessionUrl
              ? `This session only; the setting is ${savedUrl}`
              : 'The setting local commands and the CLI use'
          }
          value={text}
          onChange={(e) => {
            setText(e.currentTarget.value)
            setError(null)
          }}
          error={error ?? (save.isError ? save.error.message : null)}
          style={{ flex: 1 }}
          data-testid="local-url"
        />
        <Button type="submit" variant="default" disabled={text.trim() === inUse}>
          Use for this session
        </Button>
        <Button
          variant="light"
          loading={save.isPending}
          disabled={text.trim() === savedUrl}
          onClick={saveAsDefault}
          data-testid="local-url-save"
        >
          Save as setting
        </Button>
      </Group>
    </form>
  )
}

function StatusView({ status, sessionUrl }: { status: LocalStatus; sessionUrl: string | null }) {
  const rp = status.remoteProvisioning
  return (
    <Stack gap="sm" data-testid="local-status" data-initialized={status.initialized}>
      <Group gap="xs">
        <Badge color={status.running ? 'green' : 'red'} variant="light" miw="max-content">
          {status.running ? 'running' : 'not running'}
        </Badge>
        {status.running && (
          <Badge
            color={status.initialized ? 'green' : 'yellow'}
            variant="light"
            miw="max-content"
            data-testid="local-initialized"
          >
            {status.initialized ? 'initialised' : 'not initialised'}
          </Badge>
        )}
        {status.mode && (
          <Badge variant="outline" miw="max-content" data-testid="local-mode">
            {status.mode === 'PRE_SHARED_KEY' ? 'pre-shared key' : status.mode}
          </Badge>
        )}
        {status.owner && (
          <Text size="sm" data-testid="local-owner">
            owner <Code>{status.owner}</Code>
          </Text>
        )}
        {status.version && (
          <Text size="sm" c="dimmed">
            version {status.version}
          </Text>
        )}
      </Group>
      {rp && rp.mode === 'USER_AGENT' && (
        <Text size="xs" c="dimmed">
          Remote provisioning: hub {rp.hubId ?? '?'}, certificate-authority{' '}
          {rp.certificateAuthority ?? '?'}; the hub&apos;s certificate-authority must accept this
          issuer&apos;s tokens to sign the identity certificate.
        </Text>
      )}
      {status.ours && (
        <Text size="xs" c="dimmed" data-testid="local-ours">
          Initialised here {formatTime(status.ours.initializedAt)} for owner {status.ours.owner}
          {status.ours.clientId ? `, client ${status.ours.clientId}` : ''}
          {status.ours.hub ? `, hub ${status.ours.hub}` : ''}.
        </Text>
      )}
      {status.problems.map((p) => (
        <Alert
          key={p.problem}
          color={p.problem === 'not_initialized' ? 'yellow' : 'red'}
          title={PROBLEM_TITLES[p.problem] ?? p.problem}
          data-testid={`local-problem-${p.problem}`}
        >
          {p.message}
        </Alert>
      ))}
      {status.running && <InitSection status={status} sessionUrl={sessionUrl} />}
    </Stack>
  )
}

function InitSection({ status, sessionUrl }: { status: LocalStatus; sessionUrl: string | null }) {
  const needs = initNeedsOf(status)
  // The form shows while it is needed; once initialised it folds away unless asked for.
  const [reopened, setOpen] = useState(false)
  const open = reopened || !status.initialized || needs.otherOwner
  const [resetting, setResetting] = useState(false)
  const reset = useLocalReset()
  const target = sessionUrl ? { clientAppUrl: sessionUrl } : {}
  return (
    <>
      {open ? (
        <InitForm
          // A change of mode or owner is a new form: its defaults and required fields differ.
          key={`${status.url} ${status.mode} ${status.owner}`}
          status={status}
          needs={needs}
          sessionUrl={sessionUrl}
        />
      ) : null}
      <Group gap="xs">
        {!open && (
          <Button size="xs" variant="default" onClick={() => setOpen(true)}>
            Initialise again…
          </Button>
        )}
        {status.initialized && (
          <Button
            size="xs"
            color="red"
            variant="light"
            onClick={() => setResetting(true)}
            data-testid="local-reset"
          >
            Reset…
          </Button>
        )}
      </Group>
      <ConfirmDialog
        opened={resetting}
        title="Reset the client-application?"
        confirmLabel="Reset"
        loading={reset.isPending}
        onClose={() => setResetting(false)}
        onConfirm={() =>
          reset.mutate(target, {
            onSuccess: () => setResetting(false),
          })
        }
        testId="local-reset-dialog"
      >
        <Text>
          {status.url} forgets its owner{status.owner ? ` ${status.owner}` : ''} and its
          credentials; devices it owns stay owned by that identity until they are disowned or
          factory reset. It must be initialised again before discovery or onboarding.
        </Text>
        {reset.isError && (
          <Alert color="red" title="Not reset">
            {reset.error.message}
          </Alert>
        )}
      </ConfirmDialog>
    </>
  )
}

function InitForm({
  status,
  needs,
  sessionUrl,
}: {
  status: LocalStatus
  needs: InitNeeds
  sessionUrl: string | null
}) {
  const init = useLocalInit()
  const clients = useClients()
  const [confirming, setConfirming] = useState<InitFormOutput | null>(null)
  const {
    register,
    control,
    handleSubmit,
    formState: { errors },
  } = useForm<InitFormValues, unknown, InitFormOutput>({
    resolver: zodResolver(buildInitFormSchema(needs), resolverOptions),
    defaultValues: emptyInitForm(
      status.ours?.owner ?? (needs.otherOwner ? '' : (status.owner ?? '')),
    ),
  })
  const send = (values: InitFormOutput) =>
    init.mutate(
      { ...values, ...(sessionUrl ? { clientAppUrl: sessionUrl } : {}) },
      { onSettled: () => setConfirming(null) },
    )
  const onSubmit = handleSubmit((values) => (values.force ? setConfirming(values) : send(values)))
  return (
    <>
      <form onSubmit={onSubmit} noValidate data-testid="local-init-form">
        <Stack gap="xs">
          <Text size="sm">
            {needs.x509
              ? "X509 mode: client-application accepts the chosen client's tokens (this issuer's JWKS is pushed to it); devices are owned with its identity certificate."
              : 'Pre-shared key mode: the owner is its subject id; the console generates the key and keeps it in the vault.'}
          </Text>
          <SimpleGrid cols={needs.x509 ? 3 : 1}>
            <TextInput
              label="Owner"
              required
              description={needs.x509 ? "The client's tokens must carry it" : 'The device owner'}
              error={fieldError(errors, 'owner')}
              data-testid="local-init-owner"
              {...register('owner')}
            />
            {needs.x509 && (
              <Controller
                control={control}
                name="clientId"
                render={({ field }) => (
                  <Select
                    label="Client"
                    required
                    searchable
                    placeholder={clients.isLoading ? 'Loading clients…' : 'Choose a client'}
                    data={(clients.data ?? []).map((c) => ({
                      value: c.id,
                      label: `${c.id} (owner ${c.owner})`,
                    }))}
                    nothingFoundMessage="No client: create one on the Clients page"
                    value={field.value}
                    onChange={field.onChange}
                    onBlur={field.onBlur}
                    error={fieldError(errors, 'clientId')}
                    data-testid="local-init-client"
                  />
                )}
              />
            )}
            {needs.hub && (
              <Controller
                control={control}
                name="hub"
                render={({ field }) => (
                  <Stack gap={2}>
                    <HubSelect value={field.value} onChange={field.onChange} />
                    {errors.hub ? (
                      <Text size="xs" c="red" data-testid="local-init-hub-error">
                        {fieldError(errors, 'hub')}
                      </Text>
                    ) : null}
                  </Stack>
                )}
              />
            )}
          </SimpleGrid>
          {needs.otherOwner && (
            <Checkbox
              label={`Force: reset it first (it is initialised by ${status.owner ?? 'another owner'})`}
              data-testid="local-init-force"
              {...register('force')}
            />
          )}
          {init.isError && (
            <Alert color="red" title="Not initialised" data-testid="local-init-failed">
              {init.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button type="submit" loading={init.isPending} data-testid="local-init-submit">
              Initialise
            </Button>
          </Group>
        </Stack>
      </form>
      {/* Outside the form: a portal's submit still bubbles to React ancestors. */}
      <ConfirmDialog
        opened={confirming !== null}
        title="Reset and initialise again?"
        confirmLabel="Reset and initialise"
        loading={init.isPending}
        onClose={() => setConfirming(null)}
        onConfirm={() => confirming && send(confirming)}
        testId="local-init-force-dialog"
      >
        <Text>
          {status.url} is initialised by {status.owner ?? 'another owner'}. Forcing resets it: that
          owner&apos;s credentials are gone and the devices it owns must be disowned or factory
          reset before this owner can own them.
        </Text>
      </ConfirmDialog>
    </>
  )
}
