/**
 * Copies text: the async Clipboard API first, then the selection-based fallback (a denied
 * clipboard permission in Electron, or a browser without the API).
 */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text)
    return
  } catch {
    // fall through to the fallback
  }
  const area = document.createElement('textarea')
  area.value = text
  area.setAttribute('readonly', '')
  area.style.position = 'fixed'
  area.style.opacity = '0'
  const active = document.activeElement instanceof HTMLElement ? document.activeElement : null
  document.body.append(area)
  area.select()
  const ok = document.execCommand('copy')
  area.remove()
  active?.focus()
  if (!ok) throw new Error('the clipboard is not available here; select the text and copy it')
}
