import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { MethodInput } from '../../../../shared/contract/index'
import { useConsoleApi } from '../../api/api-context'
import { callApi } from '../../api/call-api'
import { queryKeys } from '../../api/query-keys'

const checklistKey = (hub: string, clientId: string) =>
  [...queryKeys.hubs, hub, 'dps-checklist', clientId] as const

/** The dry run and the apply are the same call: the review shows the first, Apply sends the second. */
export function useDpsSetup() {
  const api = useConsoleApi()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (input: MethodInput<'dps.setup'>) => callApi(api.dps.setup(input)),
    onSuccess: (result, input) => {
      if (!result.applied) return
      // A created client or a rotated secret shows in the clients page and the audit log.
      void queryClient.invalidateQueries({ queryKey: queryKeys.clients })
      void queryClient.invalidateQueries({ queryKey: queryKeys.audit })
      void queryClient.invalidateQueries({ queryKey: [...queryKeys.hubs, input.hub] })
    },
  })
}

export function useDpsWatch() {
  const api = useConsoleApi()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (input: MethodInput<'dps.watch'>) => callApi(api.dps.watch(input)),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.jobs }),
  })
}

export function useDpsChecklist(hub: string | null, clientId: string) {
  const api = useConsoleApi()
  return useQuery({
    queryKey: checklistKey(hub ?? '', clientId),
    queryFn: () =>
      callApi(api.dps.checklist({ hub: hub ?? '', clientId: clientId.trim() || undefined })),
    enabled: hub !== null,
    retry: false,
  })
}
