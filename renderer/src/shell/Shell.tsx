import {
  AppShell,
  Badge,
  Burger,
  Button,
  Center,
  EmptyState,
  Group,
  Loader,
  NavLink,
  Title,
  UnstyledButton,
} from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { lazy, Suspense, useEffect } from 'react'
import { useAppEvents } from '../api/events'
import { ErrorBoundary } from '../components/ErrorBoundary'
import { ThemeToggle } from '../components/ThemeToggle'
import { setAppState } from '../lib/app-state'
import { notify } from '../lib/notify'
import { AboutButton } from '../features/about/AboutDialog'
import { FirstRunPage } from '../features/status/FirstRunPage'
import { issuerMode, MODE_DESCRIPTIONS, type IssuerMode } from '../features/status/issuer-mode'
import { useStatus } from '../features/status/queries'
import { ChunkLoadBoundary } from './ChunkLoadBoundary'
import { ConnectionBanner, useConnectionState } from './ConnectionBanner'
import { PAGE_LABELS, PAGES, pageHref, useRoute, type Page } from './routes'

// The dashboard is the landing page; the others load when first opened.
import { DashboardPage } from '../features/status/DashboardPage'
const ClientsPage = lazy(() =>
  import('../features/clients/ClientsPage').then((m) => ({ default: m.ClientsPage })),
)
const TokensPage = lazy(() =>
  import('../features/tokens/TokensPage').then((m) => ({ default: m.TokensPage })),
)
const InspectorPage = lazy(() =>
  import('../features/inspector/InspectorPage').then((m) => ({ default: m.InspectorPage })),
)
const HubsPage = lazy(() =>
  import('../features/hubs/HubsPage').then((m) => ({ default: m.HubsPage })),
)
const DpsPage = lazy(() => import('../features/dps/DpsPage').then((m) => ({ default: m.DpsPage })))
const ConfigsPage = lazy(() =>
  import('../features/configs/ConfigsPage').then((m) => ({ default: m.ConfigsPage })),
)
const DevicesPage = lazy(() =>
  import('../features/devices/DevicesPage').then((m) => ({ default: m.DevicesPage })),
)
const LocalPage = lazy(() =>
  import('../features/local/LocalPage').then((m) => ({ default: m.LocalPage })),
)
const JobsPage = lazy(() =>
  import('../features/jobs/JobsPage').then((m) => ({ default: m.JobsPage })),
)
const KeysPage = lazy(() =>
  import('../features/keys/KeysPage').then((m) => ({ default: m.KeysPage })),
)
const AuditPage = lazy(() =>
  import('../features/audit/AuditPage').then((m) => ({ default: m.AuditPage })),
)

const SettingsPage = lazy(() =>
  import('../features/settings/SettingsPage').then((m) => ({ default: m.SettingsPage })),
)

function PageContent({ page }: { page: Page }) {
  switch (page) {
    case 'dashboard':
      return <DashboardPage />
    case 'clients':
      return <ClientsPage />
    case 'tokens':
      return <TokensPage />
    case 'inspector':
      return <InspectorPage />
    case 'hubs':
      return <HubsPage />
    case 'dps':
      return <DpsPage />
    case 'configs':
      return <ConfigsPage />
    case 'devices':
      return <DevicesPage />
    case 'local':
      return <LocalPage />
    case 'jobs':
      return <JobsPage />
    case 'keys':
      return <KeysPage />
    case 'audit':
      return <AuditPage />
    case 'settings':
      return <SettingsPage />
  }
}

/** Mantine's `lg` (1200 px): narrower windows show the sidebar behind the burger. */
const NAV_BREAKPOINT = 'lg'

const pageLoader = (
  <Center py="xl">
    <Loader aria-label="Loading page" />
  </Center>
)

/** The console once connected: readiness marker, first run or the navigable pages. */
export function Shell() {
  useAppEvents()
  const status = useStatus()
  const state = status.data ? 'ready' : status.isError ? 'error' : 'loading'
  useEffect(() => setAppState(state), [state])

  if (!status.data) {
    return (
      <Center h="100vh">
        {status.isError ? (
          <EmptyState
            title="Cannot reach the console"
            description="The reason is in the notification."
            data-testid="status-failed"
          >
            <EmptyState.Actions>
              <Button onClick={() => void status.refetch()} loading={status.isFetching}>
                Retry
              </Button>
            </EmptyState.Actions>
          </EmptyState>
        ) : (
          <Loader aria-label="Connecting to the console" />
        )}
      </Center>
    )
  }

  if (!status.data.setupCompleted) {
    return (
      <ErrorBoundary name="first run">
        <FirstRunPage status={status.data} />
      </ErrorBoundary>
    )
  }

  return <Navigation running={status.data.issuer.running} mode={issuerMode(status.data)} />
}

function Navigation({ running, mode }: { running: boolean; mode: IssuerMode }) {
  const { page } = useRoute()
  const [opened, { toggle, close }] = useDisclosure(false)
  const connected = useConnectionState()
  // An error toast was about the page left behind: it closes with it.
  useEffect(() => notify.closeErrors(), [page])
  return (
    <AppShell
      header={{ height: 56 }}
      // Below NAV_BREAKPOINT (so in a 1024×700 window) the sidebar folds behind the burger and
      // the pages get the whole width.
      navbar={{ width: 220, breakpoint: NAV_BREAKPOINT, collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <UnstyledButton
              className="skip-link"
              onClick={() => document.getElementById('main')?.focus()}
            >
              Skip to content
            </UnstyledButton>
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom={NAV_BREAKPOINT}
              size="sm"
              aria-label="Toggle navigation"
            />
            <Title order={1} size="h4">
              plgd M2M Console
            </Title>
            {connected === 'ok' ? (
              <Badge
                color={running ? 'green' : 'gray'}
                variant="light"
                data-testid="issuer-running"
              >
                {running ? 'issuer running' : 'issuer stopped'}
              </Badge>
            ) : (
              // A tab that lost its issuer must not go on saying "running".
              <Badge color="orange" variant="light" data-testid="issuer-running">
                {connected === 'lost' ? 'connection lost' : 'issuer restarted'}
              </Badge>
            )}
            <Badge
              color={mode === 'station' ? 'blue' : 'gray'}
              variant="outline"
              title={MODE_DESCRIPTIONS[mode]}
              data-testid="issuer-mode"
            >
              {mode}
            </Badge>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <AboutButton />
            <ThemeToggle />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        {PAGES.map((p) => (
          <NavLink
            key={p}
            component="a"
            href={pageHref(p)}
            label={PAGE_LABELS[p]}
            active={p === page}
            aria-current={p === page ? 'page' : undefined}
            onClick={close}
            data-testid={`nav-${p}`}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <div className="page-content" data-testid="page-content">
          <ConnectionBanner state={connected} />
          <ErrorBoundary key={page} name={PAGE_LABELS[page]}>
            <ChunkLoadBoundary>
              <Suspense fallback={pageLoader}>
                <PageContent page={page} />
              </Suspense>
            </ChunkLoadBoundary>
          </ErrorBoundary>
        </div>
      </AppShell.Main>
    </AppShell>
  )
}
