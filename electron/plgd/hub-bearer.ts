/** A bearer and when it stops working (unix seconds; null: never). */
export interface MintedBearer {
  token: string
  expiresAt: number | null
}

/** Lifetime of the bearers the console mints for a hub's APIs. */
export const HUB_BEARER_LIFETIME_SECONDS = 5 * 60
/** A cached bearer is replaced this long before it expires: a call may take a while. */
export const HUB_BEARER_MARGIN_SECONDS = 30

/**
 * Caches a minted bearer until shortly before its expiry; concurrent callers share one mint.
 * A failed mint is not cached: the next call tries again.
 */
export class CachedBearer {
  readonly #mint: () => Promise<MintedBearer>
  readonly #nowSeconds: () => number
  #current: MintedBearer | undefined
  #pending: Promise<MintedBearer> | undefined

  constructor(mint: () => Promise<MintedBearer>, nowSeconds: () => number) {
    this.#mint = mint
    this.#nowSeconds = nowSeconds
  }

  async get(): Promise<string> {
    const current = this.#current
    if (current && this.#fresh(current)) return current.token
    this.#pending ??= this.#mint().finally(() => {
      this.#pending = undefined
    })
    const minted = await this.#pending
    this.#current = minted
    return minted.token
  }

  /** Forget the cached bearer (the profile's auth changed). */
  clear(): void {
    this.#current = undefined
  }

  #fresh(b: MintedBearer): boolean {
    return b.expiresAt === null || b.expiresAt - HUB_BEARER_MARGIN_SECONDS > this.#nowSeconds()
  }
}

/** The claims of a JWT, unverified: only to read the owner and expiry of a pasted token. */
export function unverifiedClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1]
  if (!payload) return {}
  try {
    const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

export interface BearerMintDeps {
  /** The client's owner, audiences and lifetime cap, or undefined when there is no such client. */
  client(id: string): { audiences: string[]; maxLifetimeSeconds: number } | undefined
  issueAsAdmin(input: {
    clientId: string
    audiences: string[]
    scopes: string[]
    lifetimeSeconds: number
    name: string
  }): Promise<{ accessToken: string; jti: string; expiresAt: number }>
  /** The audit entry every admin-issued token gets (`token.issued_by_admin`). */
  audited(jti: string, details: Record<string, unknown>): void
}

/**
 * Mints the hub bearer for a client of our issuer: 5 minutes (less if the client's policy says
 * so), named `console: hub <name>`, in the ledger and the audit log like any token.
 */
export function hubBearerMinter(
  deps: BearerMintDeps,
): (hubName: string, clientId: string) => Promise<MintedBearer> {
  return async (hubName, clientId) => {
    const client = deps.client(clientId)
    const cap = client?.maxLifetimeSeconds ?? 0
    const lifetimeSeconds =
      cap > 0 ? Math.min(HUB_BEARER_LIFETIME_SECONDS, cap) : HUB_BEARER_LIFETIME_SECONDS
    const issued = await deps.issueAsAdmin({
      clientId,
      audiences: client?.audiences ?? [],
      scopes: [],
      lifetimeSeconds,
      name: `console: hub ${hubName}`,
    })
    deps.audited(issued.jti, { clientId, expiresAt: issued.expiresAt, hub: hubName })
    return { token: issued.accessToken, expiresAt: issued.expiresAt || null }
  }
}
