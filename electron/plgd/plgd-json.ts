/**
 * The value encodings plgd's APIs use (interop §0, §3.2, §4.2): URI-scheme strings for secrets
 * and PEMs, base64 resource content, nanosecond durations and int64 numbers as strings.
 */

/** A URI-scheme value plgd reads as the bytes themselves: `data:;base64,…`. Raw text would be read as a file path. */
export function dataUri(value: Uint8Array | string): string {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value)
  return `data:;base64,${bytes.toString('base64')}`
}

/** The bytes of a `data:` URI (`data:;base64,…` or `data:,<URL-escaped>`); null for a file path. */
export function readDataUri(uri: string): Buffer | null {
  const match = /^data:([^,]*),(.*)$/s.exec(uri)
  if (!match) return null
  const [, meta = '', payload = ''] = match
  if (meta.split(';').includes('base64')) return Buffer.from(payload, 'base64')
  return Buffer.from(decodeURIComponent(payload), 'utf8')
}

/** The snippet-service's resource content (`Content` message). */
export interface PlgdContent {
  contentType: string
  coapContentFormat: number
  /** Base64 of the content's bytes. */
  data: string
}

/** CoAP content-format of application/json (RFC 7252 §12.3). */
export const COAP_JSON = 50

/** A JSON value as snippet-service content: application/json, CoAP format 50, base64 data. */
export function jsonContent(value: unknown): PlgdContent {
  const text = JSON.stringify(value)
  if (text === undefined) throw new TypeError('the content is not a JSON value')
  return {
    contentType: 'application/json',
    coapContentFormat: COAP_JSON,
    data: Buffer.from(text, 'utf8').toString('base64'),
  }
}

/**
 * The JSON value of a resource's content as an answer carries it: a `Content` message with
 * base64 data (protojson), or the value itself (plgd's default marshaller already decoded it).
 * Refuses content that is not JSON (CBOR), naming its type.
 */
export function readJsonContent(content: unknown): unknown {
  if (!isContentMessage(content)) return content
  const bytes = Buffer.from(content.data, 'base64')
  if (!/json/i.test(content.contentType ?? '')) {
    throw new TypeError(
      `the content is ${content.contentType || 'of no declared type'}, not JSON (${bytes.length} bytes)`,
    )
  }
  return bytes.length === 0 ? null : (JSON.parse(bytes.toString('utf8')) as unknown)
}

function isContentMessage(value: unknown): value is { contentType?: string; data: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const { data, contentType } = value as Record<string, unknown>
  return typeof data === 'string' && (contentType === undefined || typeof contentType === 'string')
}

const NS_PER_SECOND = 1_000_000_000n
const NS_PER_MS = 1_000_000n

/** A duration in seconds as plgd's nanosecond int64 string: 60 → "60000000000". */
export function nsFromSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new RangeError(`a duration must be a non-negative number of seconds, not ${seconds}`)
  }
  const whole = Math.trunc(seconds)
  const fraction = Math.round((seconds - whole) * 1e9)
  return (BigInt(whole) * NS_PER_SECOND + BigInt(fraction)).toString()
}

/** A nanosecond duration (string or number) in seconds; sub-second parts kept as a fraction. */
export function secondsFromNs(ns: string | number | bigint | undefined | null): number {
  const value = readInt64(ns)
  return Number(value / NS_PER_SECOND) + Number(value % NS_PER_SECOND) / 1e9
}

/** A nanosecond unix time (`timestamp`, `date`) in milliseconds, exact where a number is. */
export function msFromNs(ns: string | number | bigint | undefined | null): number {
  return Number(readInt64(ns) / NS_PER_MS)
}

/**
 * An int64 as plgd sends it (a string in protojson, sometimes a number; absent when zero under
 * the default marshaller). Refuses anything else rather than guessing.
 */
export function readInt64(value: string | number | bigint | undefined | null): bigint {
  if (value === undefined || value === null || value === '') return 0n
  if (typeof value === 'bigint') return value
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new RangeError(`${value} is not an integer`)
    return BigInt(value)
  }
  if (!/^-?\d+$/.test(value.trim())) throw new RangeError(`"${value}" is not an int64`)
  return BigInt(value.trim())
}

/** An int64 that fits a number (a count, a version); refused when it would lose precision. */
export function readCount(value: string | number | bigint | undefined | null): number {
  const big = readInt64(value)
  if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`${big} does not fit a JavaScript number`)
  }
  return Number(big)
}
