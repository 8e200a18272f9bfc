import { useMutation, useQueryClient } from '@tanstack/react-query'
import type { MethodInput } from '../../../../shared/contract/index'
import { useConsoleApi } from '../../api/api-context'
import { callApi } from '../../api/call-api'
import { queryKeys } from '../../api/query-keys'

/** Not cached (gcTime 0): the input is the passphrase. A backup is an audit entry. */
export function useCreateBackup() {
  const api = useConsoleApi()
  const queryClient = useQueryClient()
  return useMutation({
    gcTime: 0,
    mutationFn: (input: MethodInput<'backup.create'>) => callApi(api.backup.create(input)),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.audit }),
  })
}
