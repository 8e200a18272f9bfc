import { useMutation, useQueryClient } from '@tanstack/react-query'
import type { MethodInput } from '../../../../shared/contract/index'
import { useConsoleApi } from '../../api/api-context'
import { callApi } from '../../api/call-api'
import { queryKeys } from '../../api/query-keys'

export function useUpdateSettings() {
  const api = useConsoleApi()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (input: MethodInput<'settings.update'>) => callApi(api.settings.update(input)),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.status }),
  })
}
