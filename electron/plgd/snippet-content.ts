import type { ConfigurationView } from '../../shared/contract/index.js'
import { jsonContent, nsFromSeconds } from './plgd-json.js'

/**
 * The snippet-service's wire forms (interop §4.2): a resource's content travels as base64 with
 * its content type and CoAP content format, durations as int64 nanosecond strings, versions and
 * timestamps as uint64 strings. Only JSON content is written here (format 50).
 */
export const JSON_CONTENT_TYPE = 'application/json'

export interface WireContent {
  data: string
  contentType: string
  coapContentFormat: number
}
export interface WireResource {
  href: string
  content: WireContent
  timeToLive: string
}

const NS_PER_SECOND = 1_000_000_000n

/** A nanosecond count (string or number) in whole seconds; 0 when absent or unreadable. */
export function nsToSeconds(ns: unknown): number {
  try {
    if (typeof ns !== 'string' && typeof ns !== 'number') return 0
    return Number(BigInt(ns) / NS_PER_SECOND)
  } catch {
    return 0
  }
}

/** A uint64 as plgd sends it (a string, or a number from the default marshaller). */
export function toNumber(value: unknown): number {
  const n = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : 0
  return Number.isFinite(n) ? n : 0
}

export function encodeResource(resource: {
  href: string
  content: unknown
  timeToLiveSeconds?: number | undefined
}): WireResource {
  return {
    href: resource.href,
    content: jsonContent(resource.content),
    timeToLive: nsFromSeconds(resource.timeToLiveSeconds ?? 0),
  }
}

/**
 * A content back as a value: protojson keeps `{data, contentType}` (decoded here when JSON or
 * text); plgd's default marshaller already replaced it by the decoded value.
 */
export function decodeContent(content: unknown): { value: unknown; contentType: string } {
  if (
    content !== null &&
    typeof content === 'object' &&
    typeof (content as WireContent).data === 'string' &&
    typeof (content as WireContent).contentType === 'string'
  ) {
    const { data, contentType } = content as WireContent
    const bytes = Buffer.from(data, 'base64')
    if (contentType === JSON_CONTENT_TYPE) {
      try {
        return { value: JSON.parse(bytes.toString('utf8')) as unknown, contentType }
      } catch {
        return { value: data, contentType }
      }
    }
    if (contentType.startsWith('text/')) return { value: bytes.toString('utf8'), contentType }
    // CBOR and other binary formats: shown as base64, never guessed at.
    return { value: data, contentType }
  }
  return { value: content ?? null, contentType: JSON_CONTENT_TYPE }
}

interface WireConfiguration {
  id?: string
  version?: string | number
  name?: string
  owner?: string
  timestamp?: string | number
  resources?: { href?: string; content?: unknown; timeToLive?: string | number }[]
}

/** A plgd timestamp (unix nanoseconds) in unix seconds, like every time in the contract. */
export function nsTimestampToSeconds(ns: unknown): number {
  return nsToSeconds(ns)
}

export function toConfigurationView(wire: WireConfiguration): ConfigurationView {
  return {
    id: wire.id ?? '',
    version: toNumber(wire.version),
    name: wire.name ?? '',
    owner: wire.owner ?? '',
    timestamp: nsTimestampToSeconds(wire.timestamp),
    resources: (wire.resources ?? []).map((r) => {
      const { value, contentType } = decodeContent(r.content)
      return {
        href: r.href ?? '',
        content: value,
        contentType,
        timeToLiveSeconds: nsToSeconds(r.timeToLive),
      }
    }),
  }
}
