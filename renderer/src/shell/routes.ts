import { useSyncExternalStore } from 'react'

export const PAGES = [
  'dashboard',
  'clients',
  'tokens',
  'inspector',
  'hubs',
  'dps',
  'configs',
  'devices',
  'local',
  'jobs',
  'keys',
  'audit',
  'settings',
] as const
export type Page = (typeof PAGES)[number]

export const PAGE_LABELS: Record<Page, string> = {
  dashboard: 'Dashboard',
  clients: 'Clients',
  tokens: 'Tokens',
  inspector: 'Inspector',
  hubs: 'Hubs',
  dps: 'DPS onboarding',
  configs: 'Pre-configuration',
  devices: 'Devices',
  local: 'Bench',
  jobs: 'Jobs',
  keys: 'Keys',
  audit: 'Audit',
  settings: 'Settings',
}

export interface Route {
  page: Page
  /** The part after the page: `#/clients/<id>` → the client id. */
  param: string | null
}

export function pageHref(page: Page, param?: string): string {
  return '#/' + page + (param ? '/' + encodeURIComponent(param) : '')
}

export function parseRoute(hash: string): Route {
  const [name, param] = hash.replace(/^#\/?/, '').split('/')
  const page = (PAGES as readonly string[]).includes(name ?? '') ? (name as Page) : 'dashboard'
  let decoded: string | null = null
  try {
    decoded = param ? decodeURIComponent(param) : null
  } catch {
    decoded = null
  }
  return { page, param: decoded }
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange)
  return () => window.removeEventListener('hashchange', onChange)
}

const getHash = () => window.location.hash

/** The route in the URL hash (`#/clients`): links work with Tab/Enter, Back/Forward work. */
export function useRoute(): Route {
  return parseRoute(useSyncExternalStore(subscribe, getHash, () => ''))
}

export function navigate(page: Page, param?: string): void {
  window.location.hash = pageHref(page, param)
}
