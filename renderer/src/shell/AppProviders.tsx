import { createTheme, localStorageColorSchemeManager, MantineProvider } from '@mantine/core'
import { Notifications } from '@mantine/notifications'
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query'
import { useState, type ReactNode } from 'react'
import type { ConsoleApi } from '../../../shared/console-api'
import { ApiProvider } from '../api/api-context'
import { createQueryClient } from '../api/query-client'
import { NOTIFICATIONS_PLACEMENT } from '../lib/notify'

export const COLOR_SCHEME_STORAGE_KEY = 'plgd-console-color-scheme'

const theme = createTheme({
  primaryColor: 'indigo',
  // Keyboard users always see where focus is; mouse clicks do not leave rings behind.
  focusRing: 'auto',
  defaultRadius: 'sm',
})

const colorSchemeManager = localStorageColorSchemeManager({ key: COLOR_SCHEME_STORAGE_KEY })

interface AppProvidersProps {
  api?: ConsoleApi
  queryClient?: QueryClient
  /** 'test' turns off transitions and portals (component tests). */
  env?: 'default' | 'test'
  children: ReactNode
}

export function AppProviders({ api, queryClient, env = 'default', children }: AppProvidersProps) {
  const [client] = useState(() => queryClient ?? createQueryClient())
  const content = api ? <ApiProvider api={api}>{children}</ApiProvider> : children
  return (
    <MantineProvider
      theme={theme}
      colorSchemeManager={colorSchemeManager}
      defaultColorScheme="auto"
      env={env}
    >
      <Notifications
        position={NOTIFICATIONS_PLACEMENT.position}
        style={{ top: NOTIFICATIONS_PLACEMENT.top }}
        limit={5}
      />
      <QueryClientProvider client={client}>{content}</QueryClientProvider>
    </MantineProvider>
  )
}
