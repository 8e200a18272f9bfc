import { useMutation, useQueryClient } from '@tanstack/react-query'
import type { ExportFormat, MethodInput } from '../../../../shared/contract/index'
import { useConsoleApi } from '../../api/api-context'
import { callApi } from '../../api/call-api'
import { queryKeys } from '../../api/query-keys'

/** What an export describes: a client (with the secret just shown, if any) or the issuer. */
export type ExportTarget = { kind: 'client'; id: string; secret?: string } | { kind: 'issuer' }

/**
 * Exports are mutations, not queries: a document may hold a secret, so nothing is cached
 * (gcTime 0 drops the result and its input the moment the dialog lets go of it).
 */
const NOT_CACHED = { gcTime: 0 } as const

/** Every export is an audit entry. */
function useInvalidateAudit() {
  const queryClient = useQueryClient()
  return () => void queryClient.invalidateQueries({ queryKey: queryKeys.audit })
}

export function useExportDocument(target: ExportTarget) {
  const api = useConsoleApi()
  const onSuccess = useInvalidateAudit()
  return useMutation({
    ...NOT_CACHED,
    mutationFn: (format: ExportFormat) =>
      callApi(
        target.kind === 'client'
          ? api.export.client({ id: target.id, format, secret: target.secret })
          : api.export.issuer({ format }),
      ),
    onSuccess,
  })
}

export function useExportBundle() {
  const api = useConsoleApi()
  const onSuccess = useInvalidateAudit()
  return useMutation({
    mutationFn: (input: MethodInput<'export.bundle'>) => callApi(api.export.bundle(input)),
    onSuccess,
  })
}

/** Graduation rotates secrets: clients, status and audit all change. */
export function useExportPlgd() {
  const api = useConsoleApi()
  const queryClient = useQueryClient()
  return useMutation({
    ...NOT_CACHED,
    mutationFn: (input: MethodInput<'export.plgd'>) => callApi(api.export.plgd(input)),
    onSuccess: () => {
      for (const key of [queryKeys.clients, queryKeys.status, queryKeys.audit])
        void queryClient.invalidateQueries({ queryKey: key })
    },
  })
}

/** The files a plgd config.yaml names, as main reads it (the same reading import does). */
export function usePlgdReferences() {
  const api = useConsoleApi()
  return useMutation({
    ...NOT_CACHED,
    mutationFn: (configYaml: string) => callApi(api.import.plgdReferences({ configYaml })),
  })
}

/** Import adds clients and a key: everything that lists them changes. Inputs hold a key: not cached. */
export function useImportPlgd() {
  const api = useConsoleApi()
  const queryClient = useQueryClient()
  return useMutation({
    ...NOT_CACHED,
    mutationFn: (input: MethodInput<'import.plgd'>) => callApi(api.import.plgd(input)),
    onSuccess: () => {
      for (const key of [queryKeys.clients, queryKeys.keys, queryKeys.status, queryKeys.audit])
        void queryClient.invalidateQueries({ queryKey: key })
    },
  })
}
