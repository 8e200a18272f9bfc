export type AppState = 'loading' | 'ready' | 'error'

/** The readiness marker end-to-end tests wait on (house style §19). */
export function setAppState(state: AppState, reason?: string): void {
  const root = document.documentElement
  root.setAttribute('data-app-state', state)
  if (reason) root.setAttribute('data-app-error', reason)
  else root.removeAttribute('data-app-error')
}
