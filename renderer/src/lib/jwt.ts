export interface DecodedJwt {
  header: Record<string, unknown>
  payload: Record<string, unknown>
}

/** base64url → UTF-8 text, in the browser (atob), no library. */
export function base64UrlDecode(segment: string): string {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/')
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4)
  const binary = atob(padded)
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0))
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
}

/** Decodes (does not verify) a compact JWS; null when it is not one. */
export function decodeJwt(token: string): DecodedJwt | null {
  const parts = token.trim().split('.')
  if (parts.length !== 3 || !parts[0] || !parts[1]) return null
  try {
    const header: unknown = JSON.parse(base64UrlDecode(parts[0]))
    const payload: unknown = JSON.parse(base64UrlDecode(parts[1]))
    if (!isRecord(header) || !isRecord(payload)) return null
    return { header, payload }
  } catch {
    return null
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
