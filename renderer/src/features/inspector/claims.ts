import { formatDuration, formatTime } from '../../lib/format'

/** Claims that hold unix seconds: shown as local times next to the raw number. */
const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time'])

const CLAIM_LABELS: Record<string, string> = {
  iss: 'issuer',
  sub: 'subject',
  aud: 'audience',
  exp: 'expires',
  iat: 'issued at',
  nbf: 'not valid before',
  jti: 'token id (ledger id)',
  scope: 'scopes',
  client_id: 'client',
  auth_time: 'authenticated at',
}

export interface ClaimLine {
  claim: string
  label: string
  raw: string
  /** Human reading of the raw value; null when the raw value says it all. */
  human: string | null
}

/** "in 14 min" / "3 h ago" relative to now, for a time claim. */
function relative(seconds: number, now: number): string {
  const delta = seconds - now
  if (delta === 0) return 'now'
  return delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`
}

/**
 * The token payload line by line: the claim, what it means (the owner and device-id claims
 * are named after the issuer's settings) and, for times, the local time next to the raw value.
 */
export function readableClaims(
  payload: Record<string, unknown>,
  now: number,
  names: { ownerClaim?: string; deviceIdClaim?: string } = {},
): ClaimLine[] {
  const labels: Record<string, string> = { ...CLAIM_LABELS }
  if (names.ownerClaim) labels[names.ownerClaim] = 'owner'
  if (names.deviceIdClaim) labels[names.deviceIdClaim] = 'device id'
  return Object.entries(payload).map(([claim, value]) => {
    const raw = typeof value === 'string' ? value : JSON.stringify(value)
    let human: string | null = null
    if (TIME_CLAIMS.has(claim) && typeof value === 'number') {
      human = `${formatTime(value)} (${relative(value, now)})`
    } else if (Array.isArray(value)) {
      human = value.length === 0 ? 'none' : value.map(String).join(', ')
    } else if (claim === 'scope' && typeof value === 'string') {
      human = value.split(' ').filter(Boolean).join(', ') || 'none'
    }
    return { claim, label: labels[claim] ?? '', raw, human }
  })
}
