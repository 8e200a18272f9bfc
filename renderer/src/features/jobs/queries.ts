import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useRef } from 'react'
import type { JobItemView, MethodInput } from '../../../../shared/contract/index'
import { useConsoleApi } from '../../api/api-context'
import { callApi } from '../../api/call-api'
import { queryKeys } from '../../api/query-keys'

/** Job queries live under queryKeys.jobs, which every `job.changed` event refreshes. */

export function useJobs(page: MethodInput<'jobs.list'>) {
  const api = useConsoleApi()
  return useQuery({
    queryKey: [...queryKeys.jobs, 'list', page],
    queryFn: () => callApi(api.jobs.list(page)),
    placeholderData: keepPreviousData,
  })
}

export function useJob(id: string) {
  const api = useConsoleApi()
  return useQuery({
    queryKey: [...queryKeys.jobs, 'get', id],
    queryFn: () => callApi(api.jobs.get({ id })),
  })
}

const ITEMS_PAGE = 1000

/**
 * A job's items, kept current by asking only for what changed since the last rev seen: a
 * `job.changed` event costs one small page, not the whole list again.
 */
export function useJobItems(id: string) {
  const api = useConsoleApi()
  const cursor = useRef<{ id: string; rev: number; items: Map<string, JobItemView> }>(undefined)
  return useQuery({
    queryKey: [...queryKeys.jobs, 'items', id],
    queryFn: async () => {
      if (cursor.current?.id !== id) cursor.current = { id, rev: 0, items: new Map() }
      const c = cursor.current
      for (;;) {
        const page = await callApi(api.jobs.items({ id, since: c.rev, limit: ITEMS_PAGE }))
        for (const item of page.items) c.items.set(item.key, item)
        c.rev = page.rev
        if (page.items.length < ITEMS_PAGE) break
      }
      return [...c.items.values()].sort((a, b) => a.seq - b.seq)
    },
  })
}

function useJobAction(action: 'cancel' | 'resume') {
  const api = useConsoleApi()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => callApi(api.jobs[action]({ id })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.jobs }),
  })
}

export const useCancelJob = () => useJobAction('cancel')
export const useResumeJob = () => useJobAction('resume')

export function useJobReport() {
  const api = useConsoleApi()
  return useMutation({ mutationFn: (id: string) => callApi(api.jobs.report({ id })) })
}
