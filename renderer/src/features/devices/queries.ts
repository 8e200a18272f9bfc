import { useMutation, useQuery } from '@tanstack/react-query'
import type { DeviceView, JobItemView, MethodInput } from '../../../../shared/contract/index'
import { useConsoleApi } from '../../api/api-context'
import { callApi } from '../../api/call-api'
import { queryKeys } from '../../api/query-keys'
import { notify } from '../../lib/notify'
import { useJobRows } from '../jobs/use-job-rows'

export function useStartListing() {
  const api = useConsoleApi()
  return useMutation({
    mutationFn: (input: MethodInput<'devices.list'>) => callApi(api.devices.list(input)),
  })
}

/** The devices of a listing job as they stream in (the last state of a row wins). */
export function useListedDevices(jobId: string | null, pollMs = 300) {
  const { rows, job, error } = useJobRows(jobId, listedDevice, pollMs)
  return { devices: rows, job, error }
}

const listedDevice = (item: JobItemView): DeviceView => item.detail as unknown as DeviceView

export function useResourceLinks(hub: string, deviceId: string) {
  const api = useConsoleApi()
  return useQuery({
    queryKey: [...queryKeys.hubs, hub, 'devices', deviceId, 'links'],
    queryFn: () => callApi(api.devices.resourceLinks({ hub, deviceId })),
    retry: false,
  })
}

export function useUpdateResource() {
  const api = useConsoleApi()
  return useMutation({
    mutationFn: (input: MethodInput<'devices.update'>) => callApi(api.devices.update(input)),
    onSuccess: (_v, input) => notify.success(`${input.href} updated on ${input.deviceId}`),
  })
}

export function useRemoveDevice() {
  const api = useConsoleApi()
  return useMutation({
    mutationFn: (input: MethodInput<'devices.remove'>) => callApi(api.devices.remove(input)),
    onSuccess: (_v, input) => notify.success(`${input.deviceId} removed from ${input.hub}`),
  })
}
