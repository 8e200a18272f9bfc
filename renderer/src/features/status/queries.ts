import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { MethodInput, StatusView } from '../../../../shared/contract/index'
import { useConsoleApi } from '../../api/api-context'
import { callApi } from '../../api/call-api'
import { queryKeys } from '../../api/query-keys'
import { notify } from '../../lib/notify'

export function useStatus() {
  const api = useConsoleApi()
  return useQuery({
    queryKey: queryKeys.status,
    queryFn: () => callApi(api.status.get({})),
  })
}

export function useCompleteSetup() {
  const api = useConsoleApi()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (input: MethodInput<'setup.complete'>) => callApi(api.setup.complete(input)),
    onSuccess: (status: StatusView) => {
      queryClient.setQueryData(queryKeys.status, status)
      void queryClient.invalidateQueries({ queryKey: queryKeys.keys })
      notify.success(`The issuer is ready at ${status.issuer.issuer}`, 'Setup complete')
    },
  })
}

export function useClockSkew() {
  const api = useConsoleApi()
  return useMutation({
    mutationFn: (input: MethodInput<'clock.skew'>) => callApi(api.clock.skew(input)),
  })
}
