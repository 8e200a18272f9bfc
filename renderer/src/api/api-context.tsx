import { createContext, useContext, type ReactNode } from 'react'
import type { ConsoleApi } from '../../../shared/console-api'

const ApiContext = createContext<ConsoleApi | null>(null)

export function ApiProvider({ api, children }: { api: ConsoleApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>
}

/** The ConsoleApi; only feature hooks call it, components use those hooks. */
export function useConsoleApi(): ConsoleApi {
  const api = useContext(ApiContext)
  if (!api) throw new Error('useConsoleApi outside ApiProvider')
  return api
}
