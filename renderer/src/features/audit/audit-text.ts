import type { AuditEntry } from '../../../../shared/contract/index'
import { formatTime } from '../../lib/format'

/** Wordings that the generic "domain + verb" reading gets wrong. */
const ACTION_TEXT: Record<string, string> = {
  'token.issued_by_admin': 'Token issued from the console or CLI',
  'token.revoked': 'Tokens revoked',
  'setup.completed': 'Set-up completed',
  'dps.setup': 'DPS onboarding set up',
  'settings.change_accepted': 'Settings changed outside the program were accepted',
}

/** Known action prefixes, for the action filter (a prefix matches every action under it). */
export const AUDIT_ACTION_PREFIXES = [
  'client.',
  'token.',
  'key.',
  'settings.',
  'hub.',
  'device.',
  'configuration.',
  'condition.',
  'job.',
  'local.',
  'dps.',
  'setup.',
] as const

/** `client.secret_rotated` → "Client secret rotated". */
export function actionText(action: string): string {
  const known = ACTION_TEXT[action]
  if (known) return known
  const words = action.replace(/[._]/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** Details keys whose values are unix seconds, shown as local times. */
const TIME_KEYS = /(^at$|At$|Until$|expiresAt|expiration|retireAt)/

/** One line a person reads: the action in words, its subject and its details in words. */
export function auditSummary(entry: AuditEntry): string {
  const details = Object.entries(entry.details)
    .map(([key, value]) =>
      typeof value === 'number' && TIME_KEYS.test(key) && value > 1e9
        ? `${key}: ${formatTime(value)}`
        : `${key}: ${Array.isArray(value) ? value.join(', ') : typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
    )
    .join('; ')
  return `${actionText(entry.action)}${entry.subject ? `: ${entry.subject}` : ''}${details ? ` (${details})` : ''}`
}
