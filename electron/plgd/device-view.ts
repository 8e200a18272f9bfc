import type { DeviceView } from '../../shared/contract/index.js'

/** A device as http-gateway streams it (interop §5), only the fields the console shows. */
export interface WireDevice {
  id?: string
  name?: string
  types?: string[]
  endpoints?: (string | { uri?: string })[]
  ownershipStatus?: string | number
  metadata?: { connection?: { status?: string | number } }
}

const CONNECTION = ['UNKNOWN', 'OFFLINE', 'ONLINE'] as const

export function connectionStatus(value: string | number | undefined): DeviceView['status'] {
  if (value === 'ONLINE' || value === 'OFFLINE') return value
  if (typeof value === 'number') {
    const named = CONNECTION[value]
    if (named === 'ONLINE' || named === 'OFFLINE') return named
  }
  return 'UNKNOWN'
}

export function toDeviceView(wire: WireDevice): DeviceView {
  return {
    id: wire.id ?? '',
    name: wire.name ?? '',
    types: wire.types ?? [],
    status: connectionStatus(wire.metadata?.connection?.status),
    ownershipStatus: wire.ownershipStatus === undefined ? null : String(wire.ownershipStatus),
    endpoints: (wire.endpoints ?? [])
      .map((e) => (typeof e === 'string' ? e : (e.uri ?? '')))
      .filter((e) => e !== ''),
  }
}
