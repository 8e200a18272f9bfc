import { useMutation, useQuery } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import type { DeviceView, JobView, MethodInput } from '../../../../shared/contract/index'
import { useConsoleApi } from '../../api/api-context'
import { callApi } from '../../api/call-api'
import { queryKeys } from '../../api/query-keys'
import { notify } from '../../lib/notify'

const FINAL = new Set(['done', 'failed', 'cancelled', 'interrupted'])
const PAGE = 1000

export function useStartListing() {
  const api = useConsoleApi()
  return useMutation({
    mutationFn: (input: MethodInput<'devices.list'>) => callApi(api.devices.list(input)),
  })
}

/**
 * The devices of a listing job as they stream in: pages of `jobs.items` by rev, read until
 * the job ends. Rows keep their arrival order; the last state of a row wins.
 */
export function useListedDevices(jobId: string | null, pollMs = 300) {
  const api = useConsoleApi()
  const [result, setResult] = useState<{
    devices: DeviceView[]
    job: JobView | null
    error: Error | null
  }>({ devices: [], job: null, error: null })
  useEffect(() => {
    setResult({ devices: [], job: null, error: null })
    if (!jobId) return
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const rows = new Map<string, DeviceView>()
    let since = 0
    const read = async (): Promise<void> => {
      try {
        const page = await callApi(api.jobs.items({ id: jobId, since, limit: PAGE }))
        if (stopped) return
        for (const item of page.items) rows.set(item.key, item.detail as unknown as DeviceView)
        since = page.rev
        setResult({ devices: [...rows.values()], job: page.job, error: null })
        if (page.items.length === PAGE) return void read()
        if (FINAL.has(page.job.state)) return
      } catch (err) {
        if (stopped) return
        setResult((r) => ({ ...r, error: err as Error }))
        return
      }
      timer = setTimeout(() => void read(), pollMs)
    }
    void read()
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }, [api, jobId, pollMs])
  return result
}

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
