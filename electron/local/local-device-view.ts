import type { LocalDeviceView } from '../../shared/contract/index.js'

/** A device as client-application streams it (`pb.Device`, interop §6.1): the fields shown. */
export interface WireLocalDevice {
  id?: string
  name?: string
  types?: string[]
  ownershipStatus?: string | number
  endpoints?: (string | { uri?: string })[]
  manufacturerName?: { language?: string; value?: string }[]
  modelNumber?: string
}

const OWNERSHIP = ['UNKNOWN', 'UNOWNED', 'OWNED', 'UNSUPPORTED'] as const

/** The enum by name (protojson) or by number (a marshaller that sends numbers). */
export function ownershipStatus(
  value: string | number | undefined,
): LocalDeviceView['ownershipStatus'] {
  if (typeof value === 'number') return OWNERSHIP[value] ?? 'UNKNOWN'
  return (OWNERSHIP as readonly string[]).includes(value ?? '')
    ? (value as LocalDeviceView['ownershipStatus'])
    : 'UNKNOWN'
}

export function toLocalDeviceView(wire: WireLocalDevice): LocalDeviceView {
  // Several languages may be given: English first, else the first one.
  const names = wire.manufacturerName ?? []
  const manufacturer =
    names.find((n) => n.language?.toLowerCase().startsWith('en'))?.value ?? names[0]?.value
  return {
    id: wire.id ?? '',
    name: wire.name ?? '',
    types: wire.types ?? [],
    ownershipStatus: ownershipStatus(wire.ownershipStatus),
    endpoints: (wire.endpoints ?? [])
      .map((e) => (typeof e === 'string' ? e : (e.uri ?? '')))
      .filter((e) => e !== ''),
    manufacturer: manufacturer || null,
    model: wire.modelNumber || null,
  }
}
