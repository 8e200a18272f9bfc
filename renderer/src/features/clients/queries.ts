import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { MethodInput } from '../../../../shared/contract/index'
import { useConsoleApi } from '../../api/api-context'
import { callApi } from '../../api/call-api'
import { queryKeys } from '../../api/query-keys'
import { notify } from '../../lib/notify'

const listKey = [...queryKeys.clients, 'list'] as const
const detailKey = (id: string) => [...queryKeys.clients, 'detail', id] as const

export function useClients() {
  const api = useConsoleApi()
  return useQuery({
    queryKey: listKey,
    queryFn: () => callApi(api.clients.list({})),
  })
}

export function useClient(id: string) {
  const api = useConsoleApi()
  return useQuery({
    queryKey: detailKey(id),
    queryFn: () => callApi(api.clients.get({ id })),
  })
}

/** Client changes touch the list, the detail, the dashboard counts and the audit log. */
function useInvalidateClients() {
  const queryClient = useQueryClient()
  return () => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.clients })
    void queryClient.invalidateQueries({ queryKey: queryKeys.status })
    void queryClient.invalidateQueries({ queryKey: queryKeys.audit })
  }
}

export function useAddClient() {
  const api = useConsoleApi()
  const invalidate = useInvalidateClients()
  return useMutation({
    mutationFn: (input: MethodInput<'clients.add'>) => callApi(api.clients.add(input)),
    onSuccess: invalidate,
  })
}

export function useRotateSecret() {
  const api = useConsoleApi()
  const invalidate = useInvalidateClients()
  return useMutation({
    mutationFn: (input: MethodInput<'clients.rotateSecret'>) =>
      callApi(api.clients.rotateSecret(input)),
    onSuccess: invalidate,
  })
}

export function useSetClientDisabled() {
  const api = useConsoleApi()
  const queryClient = useQueryClient()
  const invalidate = useInvalidateClients()
  return useMutation({
    mutationFn: (input: MethodInput<'clients.setDisabled'>) =>
      callApi(api.clients.setDisabled(input)),
    onSuccess: (client) => {
      invalidate()
      void queryClient.invalidateQueries({ queryKey: queryKeys.tokens })
      const revoked =
        client.revokedTokens === undefined ? '' : `; ${client.revokedTokens} token(s) revoked`
      notify.success(`Client ${client.id} is ${client.disabled ? 'disabled' : 'enabled'}${revoked}`)
    },
  })
}

export function useRemoveClient() {
  const api = useConsoleApi()
  const queryClient = useQueryClient()
  const invalidate = useInvalidateClients()
  return useMutation({
    mutationFn: (input: MethodInput<'clients.remove'>) => callApi(api.clients.remove(input)),
    onSuccess: (_result, { id }) => {
      queryClient.removeQueries({ queryKey: detailKey(id) })
      invalidate()
      notify.success(`Client ${id} deleted`)
    },
  })
}

export function useUpdateClient() {
  const api = useConsoleApi()
  const invalidate = useInvalidateClients()
  return useMutation({
    mutationFn: (input: MethodInput<'clients.update'>) => callApi(api.clients.update(input)),
    onSuccess: ({ client, changes }) => {
      invalidate()
      notify.success(
        changes.length === 0
          ? `Client ${client.id}: nothing changed`
          : `Client ${client.id}: ${changes.map((c) => c.field).join(', ')} changed`,
      )
    },
  })
}

export function useEndGrace() {
  const api = useConsoleApi()
  const invalidate = useInvalidateClients()
  return useMutation({
    mutationFn: (input: MethodInput<'clients.endGrace'>) => callApi(api.clients.endGrace(input)),
    onSuccess: ({ client, ended }) => {
      invalidate()
      notify.success(`Client ${client.id}: ${ended} previous secret(s) stopped working`)
    },
  })
}

/** Not cached: each test asks the token endpoint again. */
export function useTestCredentials() {
  const api = useConsoleApi()
  return useMutation({
    mutationFn: (input: MethodInput<'clients.testCredentials'>) =>
      callApi(api.clients.testCredentials(input)),
  })
}

/** Live tokens of a client, for the disable dialog (the ledger's first page counts them). */
export function useLiveTokenCount(clientId: string, enabled: boolean) {
  const api = useConsoleApi()
  return useQuery({
    queryKey: [...queryKeys.tokens, 'live-count', clientId] as const,
    queryFn: () => callApi(api.tokens.list({ clientId, status: 'active', limit: 1 })),
    enabled,
    select: (page) => page.total,
  })
}
