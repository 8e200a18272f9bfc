import { useMutation } from '@tanstack/react-query'
import type { MethodInput } from '../../../../shared/contract/index'
import { useConsoleApi } from '../../api/api-context'
import { callApi } from '../../api/call-api'

export function useInspectToken() {
  const api = useConsoleApi()
  return useMutation({
    mutationFn: (input: MethodInput<'tokens.inspect'>) => callApi(api.tokens.inspect(input)),
  })
}
