import { Alert, Button, Card, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core'
import { useState, type ReactNode } from 'react'
import type { JobKind, LocalDeviceView, LocalStatus } from '../../../../shared/contract/index'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { notify } from '../../lib/notify'
import { useCancelJob } from '../jobs/queries'
import { useStatus } from '../status/queries'
import { BenchJobPanel } from './BenchJobPanel'
import { OnboardDialog, PointAtDpsDialog } from './BenchDialogs'
import { ClientAppCard } from './ClientAppCard'
import { DiscoverForm } from './DiscoverForm'
import { DiscoveredTable } from './DiscoveredTable'
import { useDiscoveredDevices, useLocalStatus, useStartLocalJob } from './queries'

const FINAL = new Set(['done', 'failed', 'cancelled', 'interrupted'])

/** What a device's ownership is once an action on it is done. */
const OWNERSHIP_AFTER: Partial<Record<JobKind, LocalDeviceView['ownershipStatus']>> = {
  'local.own': 'OWNED',
  'local.disown': 'UNOWNED',
}

/** Why local device work cannot start with this client-application; null when it can. */
export function blockedBy(status: LocalStatus | undefined): string | null {
  if (!status) return null
  if (!status.running) return 'The client-application is not running: start it or fix its URL.'
  if (!status.initialized) return 'Initialise the client-application first.'
  return null
}

/**
 * The devices in front of the technician, through plgd's client-application: find them, own
 * them, and get each onboarded through DPS or directly with a token from this issuer.
 */
export function LocalPage() {
  const app = useStatus()
  const [sessionUrl, setSessionUrl] = useState<string | null>(null)
  const local = useLocalStatus(sessionUrl)
  const savedUrl = app.data?.settings.clientAppUrl
  const [discoverJobId, setDiscoverJobId] = useState<string | null>(null)
  const [selected, setSelected] = useState<Set<string>>(new Set())
  const [action, setAction] = useState<{ jobId: string; kind: JobKind } | null>(null)
  const discovered = useDiscoveredDevices(discoverJobId)
  const [ownership, setOwnership] = useState<
    ReadonlyMap<string, LocalDeviceView['ownershipStatus']>
  >(new Map())
  const blocked = blockedBy(local.data)

  const changeUrl = (url: string | null) => {
    setSessionUrl(url)
    setDiscoverJobId(null)
    setOwnership(new Map())
    setSelected(new Set())
    setAction(null)
  }

  return (
    <Stack>
      <Title order={2}>Bench</Title>
      <Text size="sm" c="dimmed">
        The devices on this network, through plgd&apos;s client-application: discover them, own
        them, then point them at DPS or onboard them directly with a token from this issuer.
      </Text>
      {savedUrl === undefined ? (
        <Loader size="sm" aria-label="Loading the settings" />
      ) : (
        <ClientAppCard
          key={savedUrl}
          savedUrl={savedUrl}
          sessionUrl={sessionUrl}
          onSessionUrl={changeUrl}
        />
      )}
      <Card withBorder data-testid="local-discover">
        <Stack gap="sm">
          <Title order={3} size="h4">
            Discover
          </Title>
          <DiscoverForm
            sessionUrl={sessionUrl}
            defaultTimeoutSeconds={local.data?.defaultDiscoveryTimeoutSeconds ?? null}
            blocked={blocked}
            running={discoverJobId !== null && !FINAL.has(discovered.job?.state ?? 'running')}
            onStarted={(id) => {
              setSelected(new Set())
              setOwnership(new Map())
              setDiscoverJobId(id)
            }}
          />
          {discoverJobId && (
            <Discovered
              jobId={discoverJobId}
              result={discovered}
              selected={selected}
              onSelected={setSelected}
              ownership={ownership}
              actions={
                // Above the rows: at 700 px high the actions stay in sight of the selection.
                <SelectionActions
                  devices={discovered.devices}
                  selected={selected}
                  blocked={blocked}
                  sessionUrl={sessionUrl}
                  onStarted={setAction}
                />
              }
            />
          )}
        </Stack>
      </Card>
      {action && (
        <BenchJobPanel
          key={action.jobId}
          jobId={action.jobId}
          kind={action.kind}
          names={new Map(discovered.devices.map((d) => [d.id, d.name]))}
          onDone={(keys) => {
            const status = OWNERSHIP_AFTER[action.kind]
            if (!status) return
            setOwnership((m) => {
              const next = new Map(m)
              for (const k of keys) next.set(k, status)
              return next
            })
          }}
          onClose={() => setAction(null)}
        />
      )}
    </Stack>
  )
}

function Discovered({
  jobId,
  result,
  selected,
  onSelected,
  ownership,
  actions,
}: {
  jobId: string
  result: ReturnType<typeof useDiscoveredDevices>
  selected: Set<string>
  onSelected: (next: Set<string>) => void
  ownership: ReadonlyMap<string, LocalDeviceView['ownershipStatus']>
  actions: ReactNode
}) {
  const cancel = useCancelJob()
  const { job } = result
  const streaming = job === null || !FINAL.has(job.state)
  const devices = withOwnership(result.devices, ownership)
  const count = devices.length
  return (
    <Stack gap="xs">
      <Group gap="sm">
        {streaming && <Loader size="sm" aria-label="Devices are answering" />}
        <Text size="sm" data-testid="local-discover-count" data-count={count}>
          {count} device{count === 1 ? '' : 's'}
          {streaming ? ' so far' : ' found'}
        </Text>
        {streaming && (
          <Button
            size="xs"
            variant="light"
            color="red"
            loading={cancel.isPending}
            onClick={() =>
              cancel.mutate(jobId, {
                onError: (err) => notify.error(err, { title: 'Cannot cancel the discovery' }),
              })
            }
            data-testid="local-discover-cancel"
          >
            Cancel
          </Button>
        )}
        {job?.state === 'cancelled' && (
          <Text size="sm" c="dimmed">
            cancelled
          </Text>
        )}
      </Group>
      {job?.state === 'failed' && (
        <Alert color="red" title="Discovery failed" data-testid="local-discover-job-failed">
          {job.error ?? 'see the job on the Jobs page'}
        </Alert>
      )}
      {result.error && (
        <Alert color="red" title="Cannot read what was found">
          {result.error.message}
        </Alert>
      )}
      {!streaming && count === 0 && job?.state !== 'failed' && (
        <Alert color="yellow" title="No device answered" data-testid="local-discover-empty">
          Try another address (host or host:port of the device), a longer timeout, or IPv6
          multicast; check that the device is powered and on the same network as the
          client-application.
        </Alert>
      )}
      {count > 0 && (
        <>
          <Group gap="xs">
            <Button
              size="xs"
              variant="default"
              onClick={() => onSelected(new Set(devices.map((d) => d.id)))}
              data-testid="local-select-all"
            >
              Select all
            </Button>
            <Button
              size="xs"
              variant="default"
              disabled={selected.size === 0}
              onClick={() => onSelected(new Set())}
              data-testid="local-select-none"
            >
              Select none
            </Button>
            <Text size="sm" data-testid="local-selected-count" data-count={selected.size}>
              {selected.size} of {count} selected
            </Text>
          </Group>
          {actions}
          <DiscoveredTable
            devices={devices}
            selected={selected}
            onToggle={(id, on) => {
              const next = new Set(selected)
              if (on) next.add(id)
              else next.delete(id)
              onSelected(next)
            }}
          />
        </>
      )}
    </Stack>
  )
}

/** Devices owned or disowned since discovery read as such, without discovering again. */
function withOwnership(
  devices: LocalDeviceView[],
  changed: ReadonlyMap<string, LocalDeviceView['ownershipStatus']>,
): LocalDeviceView[] {
  if (changed.size === 0) return devices
  return devices.map((d) => {
    const status = changed.get(d.id)
    return status ? { ...d, ownershipStatus: status } : d
  })
}

type Dialog = 'onboard' | 'point' | 'disown' | 'offboard' | null

function SelectionActions({
  devices,
  selected,
  blocked,
  sessionUrl,
  onStarted,
}: {
  devices: LocalDeviceView[]
  selected: Set<string>
  blocked: string | null
  sessionUrl: string | null
  onStarted: (action: { jobId: string; kind: JobKind }) => void
}) {
  const start = useStartLocalJob()
  const [dialog, setDialog] = useState<Dialog>(null)
  // Only ids discovery still shows: a selection never acts on a device out of sight.
  const deviceIds = devices.filter((d) => selected.has(d.id)).map((d) => d.id)
  const why = blocked ?? (deviceIds.length === 0 ? 'Select devices first.' : null)
  const target = sessionUrl ? { clientAppUrl: sessionUrl } : {}
  const run = (method: 'local.own' | 'local.disown' | 'local.offboard') =>
    start.mutate(
      { method, input: { ...target, deviceIds } },
      {
        onSuccess: ({ jobId }) => {
          setDialog(null)
          onStarted({ jobId, kind: method })
        },
      },
    )
  const started = (kind: JobKind) => (jobId: string) => {
    setDialog(null)
    onStarted({ jobId, kind })
  }
  const disabled = why !== null
  const noun = `${deviceIds.length} device${deviceIds.length === 1 ? '' : 's'}`
  return (
    <Paper withBorder p="xs" data-testid="local-actions">
      <Stack gap="xs">
        <Group gap="xs">
          <Text size="sm" fw={500}>
            On the selection ({noun}):
          </Text>
          <Button
            size="xs"
            disabled={disabled}
            loading={start.isPending && start.variables?.method === 'local.own'}
            onClick={() => run('local.own')}
            data-testid="local-own"
          >
            Own
          </Button>
          <Button
            size="xs"
            variant="default"
            disabled={disabled}
            onClick={() => setDialog('disown')}
            data-testid="local-disown"
          >
            Disown…
          </Button>
          <Button
            size="xs"
            disabled={disabled}
            onClick={() => setDialog('point')}
            data-testid="local-point"
          >
            Point at DPS…
          </Button>
          <Button
            size="xs"
            disabled={disabled}
            onClick={() => setDialog('onboard')}
            data-testid="local-onboard"
          >
            Onboard directly…
          </Button>
          <Button
            size="xs"
            color="red"
            variant="light"
            disabled={disabled}
            onClick={() => setDialog('offboard')}
            data-testid="local-offboard"
          >
            Offboard…
          </Button>
        </Group>
        {why && (
          <Text size="sm" c="dimmed" data-testid="local-actions-why">
            {why}
          </Text>
        )}
        {start.isError && dialog === null && (
          <Alert color="red" title="Did not start" data-testid="local-action-failed">
            {start.error.message}
          </Alert>
        )}
      </Stack>
      {dialog === 'onboard' && (
        <OnboardDialog
          deviceIds={deviceIds}
          sessionUrl={sessionUrl}
          onStarted={started('local.onboard')}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === 'point' && (
        <PointAtDpsDialog
          deviceIds={deviceIds}
          sessionUrl={sessionUrl}
          onStarted={started('local.pointAtDps')}
          onClose={() => setDialog(null)}
        />
      )}
      <ConfirmDialog
        opened={dialog === 'disown' || dialog === 'offboard'}
        title={dialog === 'offboard' ? `Offboard ${noun}?` : `Disown ${noun}?`}
        confirmLabel={dialog === 'offboard' ? 'Offboard' : 'Disown'}
        loading={start.isPending}
        onClose={() => setDialog(null)}
        onConfirm={() => run(dialog === 'offboard' ? 'local.offboard' : 'local.disown')}
        testId="local-confirm"
      >
        <Text>
          {dialog === 'offboard'
            ? 'Each device forgets its hub: its cloud configuration is cleared and it goes offline at the hub. It stays owned.'
            : 'Each device is reset to unowned: its credentials and cloud configuration are removed. It must be owned again before onboarding.'}
        </Text>
        {start.isError && (
          <Alert color="red" title="Did not start">
            {start.error.message}
          </Alert>
        )}
      </ConfirmDialog>
    </Paper>
  )
}
