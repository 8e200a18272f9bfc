import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query'
import type { MethodInput } from '../../../../shared/contract/index'
import { useConsoleApi } from '../../api/api-context'
import { callApi } from '../../api/call-api'
import { queryKeys } from '../../api/query-keys'

export function useAuditPage(page: MethodInput<'audit.list'>) {
  const api = useConsoleApi()
  return useQuery({
    queryKey: [...queryKeys.audit, 'list', page],
    queryFn: () => callApi(api.audit.list(page)),
    placeholderData: keepPreviousData,
  })
}

export function useVerifyAudit() {
  const api = useConsoleApi()
  return useMutation({
    mutationFn: () => callApi(api.audit.verify({})),
  })
}

export function useExportAudit() {
  const api = useConsoleApi()
  return useMutation({
    mutationFn: () => callApi(api.audit.export({})),
  })
}
