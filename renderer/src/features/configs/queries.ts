import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { MethodInput } from '../../../../shared/contract/index'
import { useConsoleApi } from '../../api/api-context'
import { callApi } from '../../api/call-api'
import { queryKeys } from '../../api/query-keys'
import { notify } from '../../lib/notify'

/** Configurations and conditions live at the hub: keyed by hub, refetched on demand. */
const configsKey = (hub: string) => [...queryKeys.hubs, hub, 'configs'] as const
const conditionsKey = (hub: string) => [...queryKeys.hubs, hub, 'conditions'] as const

export function useConfigs(hub: string | null) {
  const api = useConsoleApi()
  return useQuery({
    queryKey: configsKey(hub ?? ''),
    queryFn: () => callApi(api.configs.list({ hub: hub ?? '' })),
    enabled: hub !== null,
    retry: false,
  })
}

export function useConditions(hub: string | null) {
  const api = useConsoleApi()
  return useQuery({
    queryKey: conditionsKey(hub ?? ''),
    queryFn: () => callApi(api.conditions.list({ hub: hub ?? '' })),
    enabled: hub !== null,
    retry: false,
  })
}

export function useCreateConfig() {
  const api = useConsoleApi()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (input: MethodInput<'configs.create'>) => callApi(api.configs.create(input)),
    onSuccess: ({ configuration }, input) => {
      void queryClient.invalidateQueries({ queryKey: configsKey(input.hub) })
      notify.success(`Configuration ${configuration.id} created`)
    },
  })
}

export function useApplyConfig() {
  const api = useConsoleApi()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (input: MethodInput<'configs.apply'>) => callApi(api.configs.apply(input)),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.jobs }),
  })
}

export function useCreateCondition() {
  const api = useConsoleApi()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (input: MethodInput<'conditions.create'>) => callApi(api.conditions.create(input)),
    onSuccess: (_created, input) => {
      void queryClient.invalidateQueries({ queryKey: conditionsKey(input.hub) })
      void queryClient.invalidateQueries({ queryKey: queryKeys.tokens })
    },
  })
}
