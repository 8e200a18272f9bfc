import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto'
import type { JWK } from 'jose'
import type { KeyAlgorithm, SigningAlgorithm } from '../../shared/constants.js'
import type { KeyState, KeyView } from '../../shared/contract.js'
import { AppError } from '../../shared/errors.js'
import type { SealedBox } from '../secrets/sealed-box.js'
import {
  algorithmForKey,
  generatePrivateKey,
  importPrivateKeyPem,
  plgdKid,
  privateKeyDer,
  privateKeyFromDer,
  publicJwk,
  thumbprintKid,
} from './key-material.js'
import { createSigner, type Signer } from './signer.js'

export interface StoredKey {
  kid: string
  alg: KeyAlgorithm
  state: KeyState
  origin: 'generated' | 'imported'
  createdAt: number
  activatedAt: number | null
  retireAt: number | null
  publicJwk: JWK
  privateKeySealed: string
}

export interface KeyRingDeps {
  sealer: SealedBox
  nowSeconds: () => number
  /** Every token a retiring key signed has expired after this many seconds. */
  maxLifetimeSeconds: () => number
  save: (keys: StoredKey[]) => void
}

const aadFor = (kid: string): string => `signing-key:${kid}`

/**
 * The issuer's signing keys. There is always one `active` key (signs) and one `next` key
 * (already in the JWKS, so validators that cache the JWKS know it before it signs). Rotation
 * promotes next to active and keeps the old key as `retiring` until every token it signed
 * has expired.
 */
export class KeyRing {
  #keys: StoredKey[] = []
  #signer: Signer | undefined
  #jwksJson = '{"keys":[]}'
  #publicKeys = new Map<string, { key: KeyObject; alg: KeyAlgorithm }>()
  readonly #deps: KeyRingDeps

  private constructor(deps: KeyRingDeps) {
    this.#deps = deps
  }

  static async open(
    stored: StoredKey[],
    deps: KeyRingDeps,
    defaultAlg: SigningAlgorithm,
  ): Promise<KeyRing> {
    const ring = new KeyRing(deps)
    ring.#keys = stored.map((k) => ({ ...k }))
    let changed = ring.#dropRetired()
    if (!ring.#keys.some((k) => k.state === 'active')) {
      const next = ring.#keys.find((k) => k.state === 'next')
      if (next) ring.#activate(next)
      else ring.#keys.push(ring.#activate(await ring.#newKey(defaultAlg, 'next')))
      changed = true
    }
    if (!ring.#keys.some((k) => k.state === 'next')) {
      ring.#keys.push(await ring.#newKey(ring.#nextAlg(), 'next'))
      changed = true
    }
    ring.#refresh(changed)
    return ring
  }

  active(): Signer {
    if (!this.#signer) throw new AppError('internal', 'no active signing key')
    return this.#signer
  }

  /**
   * Checks a token's signature against every published key (node:crypto, as signing does: this
   * runs for each trust-verification call a hub makes). Returns the payload, or undefined when
   * the token is not one of ours or its signature does not hold.
   */
  verifyOwn(token: string): { kid: string; payload: Record<string, unknown> } | undefined {
    const [h, p, s] = token.split('.')
    if (h === undefined || p === undefined || s === undefined) return undefined
    try {
      const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as {
        kid?: unknown
        alg?: unknown
      }
      const known = typeof header.kid === 'string' ? this.#publicKeys.get(header.kid) : undefined
      if (!known || known.alg !== header.alg) return undefined
      const hash = `sha${known.alg.slice(2)}`
      const key = known.alg.startsWith('ES')
        ? { key: known.key, dsaEncoding: 'ieee-p1363' as const }
        : known.key
      if (!verifySignature(hash, Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url')))
        return undefined
      const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as unknown
      if (typeof payload !== 'object' || payload === null) return undefined
      return { kid: header.kid as string, payload: payload as Record<string, unknown> }
    } catch {
      return undefined
    }
  }

  /** The JWKS document, serialised once per change: it is served on every validator refresh. */
  jwksJson(): string {
    return this.#jwksJson
  }

  list(): KeyView[] {
    const order: Record<KeyState, number> = { active: 0, next: 1, retiring: 2 }
    return [...this.#keys]
      .sort((a, b) => order[a.state] - order[b.state] || b.createdAt - a.createdAt)
      .map(({ kid, alg, state, origin, createdAt, activatedAt, retireAt }) => ({
        kid,
        alg,
        state,
        origin,
        createdAt,
        activatedAt,
        retireAt,
      }))
  }

  /** Exports the public half of the published keys, as a JWKS or as PEM (SPKI). */
  exportPublic(format: 'jwks' | 'pem', kid?: string): string {
    const keys = this.#keys.filter((k) => kid === undefined || k.kid === kid)
    if (keys.length === 0) throw new AppError('not_found', `no key ${kid}`)
    if (format === 'jwks')
      return `${JSON.stringify({ keys: keys.map((k) => k.publicJwk) }, null, 2)}\n`
    return keys
      .map(
        (k) =>
          `# kid ${k.kid} (${k.alg}, ${k.state})\n${this.#publicKeys.get(k.kid)!.key.export({ format: 'pem', type: 'spki' }) as string}`,
      )
      .join('')
  }

  /** Promotes the pre-published next key and publishes a fresh next key. */
  async rotate(alg?: SigningAlgorithm): Promise<KeyView[]> {
    const next = this.#keys.find((k) => k.state === 'next')
    const fresh = await this.#newKey(alg ?? this.#nextAlg(), 'next')
    if (next) this.#activate(next)
    this.#keys.push(fresh)
    this.#dropRetired()
    this.#refresh(true)
    return this.list()
  }

  /**
   * Imports a plgd PEM key with plgd's own `kid`, so validators that cached it keep working.
   * It replaces the next key (which never signed); `activate` also makes it sign at once.
   */
  async importPem(pem: string, activate: boolean): Promise<KeyView> {
    const privateKey = importPrivateKeyPem(pem)
    const alg = algorithmForKey(privateKey)
    const kid = plgdKid(privateKey)
    if (this.#keys.some((k) => k.kid === kid)) {
      throw new AppError('already_exists', `key ${kid} is already in the key ring`)
    }
    const imported = await this.#store(privateKey, kid, alg, 'next', 'imported')
    this.#keys = this.#keys.filter((k) => k.state !== 'next')
    this.#keys.push(imported)
    if (activate) {
      this.#activate(imported)
      this.#keys.push(await this.#newKey(this.#nextAlg(), 'next'))
    }
    this.#refresh(true)
    const view = this.list().find((k) => k.kid === kid)
    if (!view) throw new AppError('internal', 'imported key vanished')
    return view
  }

  /**
   * Starts over with fresh keys of another algorithm: only for first-run set-up, before any
   * token was signed (the caller checks the ledger), since it drops the current keys at once.
   */
  async replaceUnused(alg: SigningAlgorithm): Promise<KeyView[]> {
    const active = await this.#newKey(alg, 'active')
    active.activatedAt = active.createdAt
    this.#keys = [active, await this.#newKey(alg, 'next')]
    this.#refresh(true)
    return this.list()
  }

  /** Drops retiring keys whose tokens have all expired; returns whether anything changed. */
  purge(): boolean {
    const changed = this.#dropRetired()
    if (changed) this.#refresh(true)
    return changed
  }

  /** A new key follows the active key's algorithm; RS384/RS512 exist only as imports. */
  #nextAlg(): SigningAlgorithm {
    const alg = this.#keys.find((k) => k.state === 'active')?.alg ?? 'ES256'
    return alg === 'RS384' || alg === 'RS512' ? 'RS256' : alg
  }

  #activate(key: StoredKey): StoredKey {
    const now = this.#deps.nowSeconds()
    for (const k of this.#keys) {
      if (k.state === 'active') {
        k.state = 'retiring'
        k.retireAt = now + this.#deps.maxLifetimeSeconds()
      }
    }
    key.state = 'active'
    key.activatedAt = now
    return key
  }

  #dropRetired(): boolean {
    const now = this.#deps.nowSeconds()
    const before = this.#keys.length
    this.#keys = this.#keys.filter((k) => !(k.state === 'retiring' && (k.retireAt ?? 0) <= now))
    return this.#keys.length !== before
  }

  async #newKey(alg: SigningAlgorithm, state: KeyState): Promise<StoredKey> {
    const privateKey = generatePrivateKey(alg)
    return this.#store(privateKey, await thumbprintKid(privateKey), alg, state, 'generated')
  }

  async #store(
    privateKey: KeyObject,
    kid: string,
    alg: KeyAlgorithm,
    state: KeyState,
    origin: StoredKey['origin'],
  ): Promise<StoredKey> {
    return {
      kid,
      alg,
      state,
      origin,
      createdAt: this.#deps.nowSeconds(),
      activatedAt: null,
      retireAt: null,
      publicJwk: await publicJwk(privateKey, kid, alg),
      privateKeySealed: this.#deps.sealer.seal(privateKeyDer(privateKey), aadFor(kid)),
    }
  }

  #refresh(save: boolean): void {
    const active = this.#keys.find((k) => k.state === 'active')
    if (!active) throw new AppError('internal', 'no active signing key')
    if (this.#signer?.kid !== active.kid) {
      const der = this.#deps.sealer.open(active.privateKeySealed, aadFor(active.kid))
      this.#signer = createSigner(privateKeyFromDer(der), active.kid, active.alg)
    }
    this.#jwksJson = JSON.stringify({ keys: this.#keys.map((k) => k.publicJwk) })
    this.#publicKeys = new Map(
      this.#keys.map((k) => [
        k.kid,
        {
          key: createPublicKey({
            key: k.publicJwk as import('node:crypto').JsonWebKey,
            format: 'jwk',
          }),
          alg: k.alg,
        },
      ]),
    )
    if (save) this.#deps.save(this.#keys.map((k) => ({ ...k })))
  }
}
