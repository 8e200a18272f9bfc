import { useQuery } from '@tanstack/react-query'
import { useConsoleApi } from '../../api/api-context'
import { callApi } from '../../api/call-api'

/** About does not change while the app runs: fetched when first opened, then kept. */
export const aboutQueryKey = ['about'] as const

export function useAbout(enabled: boolean) {
  const api = useConsoleApi()
  return useQuery({
    queryKey: aboutQueryKey,
    queryFn: () => callApi(api.about.get({})),
    enabled,
    staleTime: Infinity,
  })
}
