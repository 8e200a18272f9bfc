import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query'
import { notify } from '../lib/notify'
import { ApiError } from './call-api'

/**
 * One QueryClient per window. Failed queries and mutations reach the user through the
 * notification helper here, so components never render error text themselves.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => notify.error(error, { id: 'query:' + query.queryHash }),
    }),
    mutationCache: new MutationCache({
      onError: (error) => notify.error(error),
    }),
    defaultOptions: {
      queries: {
        // Main pushes events for every change, so data stays fresh without polling.
        staleTime: 30_000,
        // Only transport trouble is worth retrying; main's answers are final.
        retry: (count, error) =>
          error instanceof ApiError && error.code === 'internal' && count < 2,
      },
      mutations: { retry: false },
    },
  })
}
