import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type {
  JobItemView,
  LocalDeviceView,
  LocalStatus,
  MethodInput,
} from '../../../../shared/contract/index'
import { useConsoleApi } from '../../api/api-context'
import { callApi } from '../../api/call-api'
import { queryKeys } from '../../api/query-keys'
import { notify } from '../../lib/notify'
import { useJobRows } from '../jobs/use-job-rows'

/**
 * Local queries live under queryKeys.local, which `local.changed` refreshes. `url` is the
 * session's client-application, or null for the `clientAppUrl` setting (then omitted from
 * every call, so main resolves it).
 */
const statusKey = (url: string | null) => [...queryKeys.local, 'status', url ?? ''] as const

const target = (url: string | null) => (url ? { clientAppUrl: url } : {})

export function useLocalStatus(url: string | null) {
  const api = useConsoleApi()
  return useQuery({
    queryKey: statusKey(url),
    queryFn: () => callApi(api.local.status(target(url))),
    retry: false,
  })
}

/** init and reset answer the new status: it replaces the cached one at once. */
function useStatusChange<I>(call: (input: I) => Promise<LocalStatus>, done: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: call,
    onSuccess: (status, input) => {
      const url = (input as { clientAppUrl?: string }).clientAppUrl ?? null
      queryClient.setQueryData(statusKey(url), status)
      void queryClient.invalidateQueries({ queryKey: queryKeys.local })
      notify.success(`${status.url}: ${done}`)
    },
  })
}

export function useLocalInit() {
  const api = useConsoleApi()
  return useStatusChange(
    (input: MethodInput<'local.init'>) => callApi(api.local.init(input)),
    'initialised',
  )
}

export function useLocalReset() {
  const api = useConsoleApi()
  return useStatusChange(
    (input: MethodInput<'local.reset'>) => callApi(api.local.reset(input)),
    'reset',
  )
}

/** Saves the client-application URL as the setting every local call and CLI command uses. */
export function useSaveClientAppUrl() {
  const api = useConsoleApi()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (clientAppUrl: string) => callApi(api.settings.update({ clientAppUrl })),
    onSuccess: (settings) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.status })
      void queryClient.invalidateQueries({ queryKey: queryKeys.local })
      notify.success(`Local commands now use ${settings.clientAppUrl}`, 'Saved')
    },
  })
}

/** The local methods that start a job; each answers `{ jobId }`. */
export type LocalJobMethod =
  | 'local.discover'
  | 'local.own'
  | 'local.disown'
  | 'local.offboard'
  | 'local.pointAtDps'
  | 'local.onboard'

export type LocalJobInput =
  | { method: 'local.discover'; input: MethodInput<'local.discover'> }
  | { method: 'local.own' | 'local.disown' | 'local.offboard'; input: MethodInput<'local.own'> }
  | { method: 'local.pointAtDps'; input: MethodInput<'local.pointAtDps'> }
  | { method: 'local.onboard'; input: MethodInput<'local.onboard'> }

export function useStartLocalJob() {
  const api = useConsoleApi()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (start: LocalJobInput): Promise<{ jobId: string }> => {
      switch (start.method) {
        case 'local.discover':
          return callApi(api.local.discover(start.input))
        case 'local.own':
          return callApi(api.local.own(start.input))
        case 'local.disown':
          return callApi(api.local.disown(start.input))
        case 'local.offboard':
          return callApi(api.local.offboard(start.input))
        case 'local.pointAtDps':
          return callApi(api.local.pointAtDps(start.input))
        case 'local.onboard':
          return callApi(api.local.onboard(start.input))
      }
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.jobs }),
  })
}

/**
 * The devices a discovery job found, as they answer. Rows keep their arrival order; a later
 * answer of the same device wins.
 */
export function useDiscoveredDevices(jobId: string | null, pollMs = 300) {
  const { rows, job, error } = useJobRows(jobId, discoveredDevice, pollMs)
  return { devices: rows, job, error }
}

/** A discovery item without a device (failed or cancelled) carries no row. */
function discoveredDevice(item: JobItemView): LocalDeviceView | undefined {
  const d = item.detail as Partial<LocalDeviceView>
  return typeof d.id === 'string' ? deviceOf(d) : undefined
}

/** Missing lists and names read as empty, so a partial row still renders. */
function deviceOf(d: Partial<LocalDeviceView>): LocalDeviceView {
  return {
    id: d.id ?? '',
    name: d.name ?? '',
    types: Array.isArray(d.types) ? d.types : [],
    ownershipStatus: d.ownershipStatus ?? 'UNKNOWN',
    endpoints: Array.isArray(d.endpoints) ? d.endpoints : [],
    manufacturer: d.manufacturer ?? null,
    model: d.model ?? null,
  }
}
