import { decodeJwt, decodeProtectedHeader } from 'jose'
import type { InspectResult } from '../../shared/contract/index.js'
import type { KeyRing } from '../keys/key-ring.js'
import type { TokenLedger } from '../ledger/token-ledger.js'
import {
  canonicalIssuer,
  checkTimes,
  TokenRejected,
  type RemoteAuthorityVerifier,
} from './remote-authority.js'

export interface InspectorDeps {
  keys: KeyRing
  ledger: TokenLedger
  authorities: RemoteAuthorityVerifier
  issuer: () => string
  ownerClaim: () => string
  /** Whether our discovery advertises plgd_tokens_endpoint (hubs then check the ledger). */
  station: () => boolean
  nowSeconds: () => number
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Decodes any JWT, verifies it against our keys or a remote authority, and lists what a plgd hub would reject. */
export async function inspectToken(
  deps: InspectorDeps,
  token: string,
  authority?: string,
): Promise<InspectResult> {
  let header: Record<string, unknown> | null = null
  let payload: Record<string, unknown> | null = null
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>
    payload = decodeJwt(token) as Record<string, unknown>
  } catch {
    return {
      header,
      payload,
      verification: {
        checkedAgainst: authority ?? deps.issuer(),
        valid: false,
        error: 'not a signed JWT',
      },
      hubRejections: ['not a JWT: a hub cannot parse it'],
    }
  }
  const rejections: string[] = []
  const now = deps.nowSeconds()
  if (typeof header.kid !== 'string') rejections.push('missing key id in token (kid)')
  if (typeof payload.iss !== 'string')
    rejections.push('no iss claim: the hub cannot find the issuer')
  try {
    checkTimes(payload, now)
  } catch (err) {
    rejections.push(timeReason((err as Error).message, payload, now))
  }
  if (typeof payload[deps.ownerClaim()] !== 'string') {
    rejections.push(`no ${deps.ownerClaim()} claim: owner-scoped hub APIs refuse it`)
  }

  let verification: InspectResult['verification']
  if (authority) {
    try {
      await deps.authorities.verify(token, [{ authority }])
      verification = { checkedAgainst: authority, valid: true }
    } catch (err) {
      const reason =
        err instanceof TokenRejected
          ? err.message
          : `cannot reach the authority: ${(err as Error).message}`
      verification = { checkedAgainst: authority, valid: false, error: reason }
      if (
        err instanceof TokenRejected &&
        !/expired|not valid yet|used before issued/.test(reason)
      ) {
        rejections.push(`signature check against ${authority} failed: ${reason}`)
      }
    }
  } else {
    verification = verifyAgainstOurs(deps, token, payload, rejections)
  }
  return { header, payload, verification, hubRejections: [...new Set(rejections)] }
}

function verifyAgainstOurs(
  deps: InspectorDeps,
  token: string,
  payload: Record<string, unknown>,
  rejections: string[],
): InspectResult['verification'] {
  const issuer = deps.issuer()
  const ours = deps.keys.verifyOwn(token)
  if (!ours) {
    rejections.push(
      'signature does not verify with any key in our JWKS (unknown kid, wrong alg or tampered)',
    )
    return { checkedAgainst: issuer, valid: false, error: 'signature invalid or key unknown' }
  }
  if (typeof payload.iss === 'string' && canonicalIssuer(payload.iss) !== canonicalIssuer(issuer)) {
    rejections.push(
      `iss ${payload.iss} is not this issuer (${issuer}): a hub trusting ${issuer} does not know it`,
    )
  }
  if (deps.station()) {
    const jti = payload.jti
    if (typeof jti !== 'string' || !UUID.test(jti))
      rejections.push('jti is not a UUID: trust verification fails')
    else {
      const record = deps.ledger.get(jti)
      if (!record)
        rejections.push('the token is not in the ledger: trust verification finds no record')
      else if (record.blacklisted) rejections.push('token is blacklisted (revoked)')
    }
  } else if (typeof payload.jti === 'string' && deps.ledger.get(payload.jti)?.blacklisted) {
    rejections.push('revoked here, but hubs only see revocations from a station (serve --station)')
  }
  return { checkedAgainst: issuer, valid: true }
}

function timeReason(message: string, payload: Record<string, unknown>, now: number): string {
  if (message.includes('expired'))
    return `token is expired (exp ${String(payload.exp)}, now ${now})`
  if (message.includes('used before issued')) {
    return `iat ${String(payload.iat)} is in the future (now ${now}): hubs allow no clock leeway`
  }
  return `token is not valid yet (nbf ${String(payload.nbf)}, now ${now})`
}
