/** Saves text as a file through a Blob URL (no navigation, works under the strict CSP). */
export function downloadText(filename: string, content: string, type = 'text/plain'): void {
  saveBlob(filename, new Blob([content], { type }))
}

/** Saves bytes as a file (an encrypted backup): the same Blob URL path as text. */
export function downloadBytes(
  filename: string,
  bytes: Uint8Array<ArrayBuffer>,
  type = 'application/octet-stream',
): void {
  saveBlob(filename, new Blob([bytes], { type }))
}

/** Base64 → bytes, for files main hands over as base64 (a backup). */
export function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/**
 * A download through a temporary link. In Electron it opens the native save dialog (the session
 * does not intercept downloads); in a browser it is an ordinary download.
 */
function saveBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.rel = 'noopener'
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
