import { useQueryClient, type QueryKey } from '@tanstack/react-query'
import { useEffect } from 'react'
import type { AppEvent, AppEventType } from '../../../shared/contract'
import { useConsoleApi } from './api-context'
import { queryKeys } from './query-keys'

/** Which cached data each event makes stale. Every change also appends to the audit log. */
export const EVENT_INVALIDATIONS: Record<AppEventType, QueryKey[]> = {
  'token.issued': [queryKeys.tokens, queryKeys.status, queryKeys.audit],
  'token.revoked': [queryKeys.tokens, queryKeys.status, queryKeys.audit],
  'key.rotated': [queryKeys.keys, queryKeys.status, queryKeys.audit],
  'client.changed': [queryKeys.clients, queryKeys.status, queryKeys.audit],
  'issuer.state': [queryKeys.status],
}

/** Subscribes to main's events for the window's lifetime and refreshes what they touch. */
export function useAppEvents(): void {
  const api = useConsoleApi()
  const queryClient = useQueryClient()
  useEffect(() => {
    const unsubscribe = api.events.subscribe((event: AppEvent) => {
      for (const queryKey of EVENT_INVALIDATIONS[event.type] ?? []) {
        // A mutation of this window already refetches what it changed: do not start it twice.
        void queryClient.invalidateQueries({ queryKey }, { cancelRefetch: false })
      }
    })
    return unsubscribe
  }, [api, queryClient])
}
