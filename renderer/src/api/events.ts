import { useQueryClient, type QueryKey } from '@tanstack/react-query'
import { useEffect } from 'react'
import type { AppEvent, AppEventType } from '../../../shared/contract/index'
import { useConsoleApi } from './api-context'
import { queryKeys } from './query-keys'

/** Which cached data each event makes stale. Every change also appends to the audit log. */
export const EVENT_INVALIDATIONS: Record<AppEventType, QueryKey[]> = {
  'token.issued': [queryKeys.tokens, queryKeys.status, queryKeys.audit],
  'token.revoked': [queryKeys.tokens, queryKeys.status, queryKeys.audit],
  'key.rotated': [queryKeys.keys, queryKeys.status, queryKeys.audit],
  'client.changed': [queryKeys.clients, queryKeys.status, queryKeys.audit],
  'issuer.state': [queryKeys.status],
  'hub.changed': [queryKeys.hubs, queryKeys.audit],
  'job.changed': [queryKeys.jobs],
  'local.changed': [queryKeys.local, queryKeys.audit],
}

/**
 * Events are gathered for this long before what they touch is refreshed: a station issuing
 * thousands of tokens a second costs an open console one refetch of each view per interval,
 * and a token just issued from the dialog is on screen before the ledger behind it re-renders.
 */
export const EVENT_REFRESH_DELAY_MS = 300

/** Subscribes to main's events for the window's lifetime and refreshes what they touch. */
export function useAppEvents(): void {
  const api = useConsoleApi()
  const queryClient = useQueryClient()
  useEffect(() => {
    const stale = new Map<string, QueryKey>()
    let timer: ReturnType<typeof setTimeout> | undefined
    const refresh = (): void => {
      timer = undefined
      const keys = [...stale.values()]
      stale.clear()
      for (const queryKey of keys) {
        // A mutation of this window already refetches what it changed: do not start it twice.
        void queryClient.invalidateQueries({ queryKey }, { cancelRefetch: false })
      }
    }
    const unsubscribe = api.events.subscribe((event: AppEvent) => {
      for (const queryKey of EVENT_INVALIDATIONS[event.type] ?? []) {
        stale.set(JSON.stringify(queryKey), queryKey)
      }
      timer ??= setTimeout(refresh, EVENT_REFRESH_DELAY_MS)
    })
    return () => {
      unsubscribe()
      clearTimeout(timer)
    }
  }, [api, queryClient])
}
