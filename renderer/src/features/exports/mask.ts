/** What stands for a secret in every preview. */
export const MASK = '••••'

/** UTF-8 → standard base64, as the exports encode (Kubernetes `data`, HTTP Basic). */
export function toBase64(text: string): string {
  let binary = ''
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/**
 * The forms a secret takes inside an export: as is, URL-encoded (a form body), base64 (a
 * Kubernetes Secret's `data`) with and without padding, and in an HTTP Basic credential.
 */
export function secretForms(secret: string, clientId?: string): string[] {
  const base64 = toBase64(secret)
  const forms = [secret, encodeURIComponent(secret), base64, base64.replace(/=+$/, '')]
  if (clientId !== undefined) {
    forms.push(toBase64(`${clientId}:${secret}`))
    forms.push(toBase64(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`))
  }
  // Longest first, so a form containing another is replaced whole.
  return [...new Set(forms)].filter((f) => f.length > 0).sort((a, b) => b.length - a.length)
}

/** The text with every form of the secret replaced by the mask, for showing on screen. */
export function maskSecret(text: string, secret: string | undefined, clientId?: string): string {
  if (!secret) return text
  let masked = text
  for (const form of secretForms(secret, clientId)) masked = masked.split(form).join(MASK)
  return masked
}
