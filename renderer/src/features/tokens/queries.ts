import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { MethodInput } from '../../../../shared/contract/index'
import { useConsoleApi } from '../../api/api-context'
import { callApi } from '../../api/call-api'
import { queryKeys } from '../../api/query-keys'
import { notify } from '../../lib/notify'

export type TokenFilters = MethodInput<'tokens.list'>

export function useTokenPage(filters: TokenFilters) {
  const api = useConsoleApi()
  return useQuery({
    queryKey: [...queryKeys.tokens, 'list', filters],
    queryFn: () => callApi(api.tokens.list(filters)),
    placeholderData: keepPreviousData,
  })
}

function useInvalidateTokens() {
  const queryClient = useQueryClient()
  return () => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.tokens })
    void queryClient.invalidateQueries({ queryKey: queryKeys.status })
    void queryClient.invalidateQueries({ queryKey: queryKeys.audit })
  }
}

/**
 * The ledger and counts refresh on main's `token.issued` event, which follows the answer:
 * refetching here as well would re-render the ledger behind the dialog before the new token
 * is on screen.
 */
export function useIssueToken() {
  const api = useConsoleApi()
  return useMutation({
    mutationFn: (input: MethodInput<'tokens.issue'>) => callApi(api.tokens.issue(input)),
  })
}

export function useRevokeTokens() {
  const api = useConsoleApi()
  const invalidate = useInvalidateTokens()
  return useMutation({
    mutationFn: (input: MethodInput<'tokens.revoke'>) => callApi(api.tokens.revoke(input)),
    onSuccess: ({ blacklistedCount }) => {
      invalidate()
      notify.success(
        blacklistedCount === 1 ? '1 token revoked' : `${blacklistedCount} tokens revoked`,
      )
    },
  })
}
