import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { MethodInput } from '../../../../shared/contract/index'
import { useConsoleApi } from '../../api/api-context'
import { callApi } from '../../api/call-api'
import { queryKeys } from '../../api/query-keys'
import { notify } from '../../lib/notify'

export function useKeys() {
  const api = useConsoleApi()
  return useQuery({
    queryKey: queryKeys.keys,
    queryFn: () => callApi(api.keys.list({})),
  })
}

function useInvalidateKeys() {
  const queryClient = useQueryClient()
  return () => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.keys })
    void queryClient.invalidateQueries({ queryKey: queryKeys.status })
    void queryClient.invalidateQueries({ queryKey: queryKeys.audit })
  }
}

export function useRotateKeys() {
  const api = useConsoleApi()
  const queryClient = useQueryClient()
  const invalidate = useInvalidateKeys()
  return useMutation({
    mutationFn: (input: MethodInput<'keys.rotate'>) => callApi(api.keys.rotate(input)),
    onSuccess: (keys) => {
      // The answer is the new key list: draw it (table and timeline) at once, then refetch.
      queryClient.setQueryData(queryKeys.keys, keys)
      invalidate()
      const active = keys.find((k) => k.state === 'active')
      notify.success(active ? `Now signing with ${active.kid} (${active.alg})` : 'Keys rotated')
    },
  })
}

export function useImportKey() {
  const api = useConsoleApi()
  const invalidate = useInvalidateKeys()
  return useMutation({
    mutationFn: (input: MethodInput<'keys.import'>) => callApi(api.keys.import(input)),
    onSuccess: (key) => {
      invalidate()
      notify.success(`Imported ${key.kid} (${key.alg}) as ${key.state}`)
    },
  })
}

export function useExportPublicKeys() {
  const api = useConsoleApi()
  return useMutation({
    mutationFn: (input: MethodInput<'keys.exportPublic'>) => callApi(api.keys.exportPublic(input)),
  })
}
