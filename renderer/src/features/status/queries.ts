import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  RESTART_HINT,
  authorityFor,
  type MethodInput,
  type StatusView,
} from '../../../../shared/contract/index'
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
      notify.success(setupOutcome(status), 'Setup complete')
    },
  })
}

/** Set-up stores the address; a running issuer keeps its old one until it restarts. */
export function setupOutcome(status: StatusView): string {
  const running = status.issuer.issuer
  const next = authorityFor(status.settings, new URL(running).protocol.replace(':', ''))
  if (!status.issuer.running || next === running) return `The issuer is ready at ${running}`
  return `Saved. The issuer still runs at ${running}; it moves to ${next ?? 'a port chosen at its next start'} once restarted: ${RESTART_HINT}.`
}

export function useClockSkew() {
  const api = useConsoleApi()
  return useMutation({
    mutationFn: (input: MethodInput<'clock.skew'>) => callApi(api.clock.skew(input)),
  })
}
