/**
 * JSON in one serialisation for everything that is hashed or MACed (the audit chain, the settings'
 * integrity tag): the same value always gives the same bytes, whatever the key order.
 * Object keys sorted, recursively; undefined members dropped as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`
  }
  if (value !== null && typeof value === 'object') {
    const members = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
      )
    return `{${members.join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}
