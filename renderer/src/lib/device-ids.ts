/**
 * Device ids pasted or read from a file: a JSON array (of ids, or of objects with `id` or
 * `deviceId`), a CSV whose header names an `id` or `deviceId` column, or ids separated by commas,
 * spaces or lines.
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
  const lines = trimmed.split(/\r?\n/)
  const cells = (line: string) =>
    line.split(/[,;\t]/).map((c) => c.trim().replace(/^"(.*)"$/, '$1'))
  const header = cells(lines[0] ?? '')
  const column = header.findIndex((h) => /^(device[ _-]?id|id)$/i.test(h))
  // A CSV with a header: its id column. Otherwise any mix of commas, spaces and lines.
  const ids =
    column >= 0
      ? lines.slice(1).map((line) => cells(line)[column] ?? '')
      : trimmed.split(/[\s,;]+/).map((id) => id.replace(/^"(.*)"$/, '$1'))
  return { ids: unique(ids.filter((id) => id !== '')), error: null }
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)]
}
