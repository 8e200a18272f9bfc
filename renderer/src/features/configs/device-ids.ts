/**
 * Device ids pasted or read from a file: a JSON array (of ids, or of objects with `id` or
 * `deviceId`), or lines of CSV whose first column is the id (a header row naming it is skipped).
 */
export function parseDeviceIds(text: string): { ids: string[]; error: string | null } {
  const trimmed = text.trim()
  if (trimmed === '') return { ids: [], error: null }
  if (trimmed.startsWith('[')) {
    try {
      const parsed = JSON.parse(trimmed) as unknown
      if (!Array.isArray(parsed)) return { ids: [], error: 'a JSON list is expected' }
      const ids = parsed.map((v: unknown) =>
        typeof v === 'string'
          ? v
          : typeof v === 'object' && v !== null
            ? String(
                (v as { id?: unknown; deviceId?: unknown }).deviceId ??
                  (v as { id?: unknown }).id ??
                  '',
              )
            : '',
      )
      if (ids.some((id) => id.trim() === ''))
        return {
          ids: [],
          error: 'each entry needs an id (a string, or an object with id or deviceId)',
        }
      return { ids: unique(ids.map((id) => id.trim())), error: null }
    } catch {
      return { ids: [], error: 'not valid JSON' }
    }
  }
  const ids = trimmed
    .split(/\r?\n/)
    .map((line) => (line.split(/[,;\t]/)[0] ?? '').trim().replace(/^"(.*)"$/, '$1'))
    .filter((id) => id !== '')
  if (ids.length > 0 && /^(device[ _-]?id|id)$/i.test(ids[0] ?? '')) ids.shift()
  return { ids: unique(ids.flatMap((id) => id.split(/\s+/))), error: null }
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)]
}
