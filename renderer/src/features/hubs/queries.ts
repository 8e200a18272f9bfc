import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { MethodInput } from '../../../../shared/contract/index'
import { useConsoleApi } from '../../api/api-context'
import { callApi } from '../../api/call-api'
import { queryKeys } from '../../api/query-keys'
import { notify } from '../../lib/notify'

const listKey = [...queryKeys.hubs, 'list'] as const

export function useHubs() {
  const api = useConsoleApi()
  return useQuery({ queryKey: listKey, queryFn: () => callApi(api.hubs.list({})) })
}

/** Hub changes touch the hubs and the audit log. */
function useInvalidateHubs() {
  const queryClient = useQueryClient()
  return () => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.hubs })
    void queryClient.invalidateQueries({ queryKey: queryKeys.audit })
  }
}

export function useAddHub() {
  const api = useConsoleApi()
  const invalidate = useInvalidateHubs()
  return useMutation({
    mutationFn: (input: MethodInput<'hubs.add'>) => callApi(api.hubs.add(input)),
    onSuccess: invalidate,
  })
}

export function useUpdateHub() {
  const api = useConsoleApi()
  const invalidate = useInvalidateHubs()
  return useMutation({
    mutationFn: (input: MethodInput<'hubs.update'>) => callApi(api.hubs.update(input)),
    onSuccess: (hub) => {
      invalidate()
      notify.success(`Hub ${hub.name} saved`)
    },
  })
}

export function useRemoveHub() {
  const api = useConsoleApi()
  const invalidate = useInvalidateHubs()
  return useMutation({
    mutationFn: (input: MethodInput<'hubs.remove'>) => callApi(api.hubs.remove(input)),
    onSuccess: (_r, { name }) => {
      invalidate()
      notify.success(`Hub ${name} removed`)
    },
  })
}

/** A check is an action (network, a minted bearer), not cached data: a mutation. */
export function useCheckHub() {
  const api = useConsoleApi()
  return useMutation({
    mutationFn: (input: MethodInput<'hubs.check'>) => callApi(api.hubs.check(input)),
  })
}
