/**
 * Unix seconds → local time with its offset, `2026-12-02 20:13:37 +01:00`: the one format of the
 * console and the CLI's human output (electron/headless/output.ts), unambiguous on its own.
 */
export function formatTime(unixSeconds: number | null | undefined): string {
  if (unixSeconds === null || unixSeconds === undefined || unixSeconds <= 0) return '—'
  const d = new Date(unixSeconds * 1000)
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0')
  const offset = -d.getTimezoneOffset()
  const zone = `${offset < 0 ? '-' : '+'}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${zone}`
  )
}

/** Seconds → "1 d 2 h", "5 min 3 s", "42 s". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds))
  const days = Math.floor(s / 86400)
  const hours = Math.floor((s % 86400) / 3600)
  const minutes = Math.floor((s % 3600) / 60)
  const seconds = s % 60
  const parts: string[] = []
  if (days) parts.push(`${days} d`)
  if (hours) parts.push(`${hours} h`)
  if (minutes && !days) parts.push(`${minutes} min`)
  if (!days && !hours && (seconds || parts.length === 0)) parts.push(`${seconds} s`)
  return parts.join(' ')
}

export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2)
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}
