import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto'
import type { JWK } from 'jose'
import type { KeyView } from '../../shared/contract/index.js'
import type { KeyAlgorithm, KeyOrigin, KeyState, SigningAlgorithm } from '../../shared/enums.js'
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
import { createSigner, type Signer, type SignerFactory } from './signer.js'

export interface StoredKey {
  kid: string
  alg: KeyAlgorithm
  state: KeyState
  origin: KeyOrigin
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
  /** The latest `exp` of any token issued so far (from the ledger). */
  latestExpiry?: () => number
  /** Where the active key signs: inline by default, or on the signing thread. */
  signerFactory?: SignerFactory
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
    const keys = ring.#drop(stored.map((k) => ({ ...k })))
    let changed = keys.length !== stored.length
    if (!keys.some((k) => k.state === 'active')) {
      const next = keys.find((k) => k.state === 'next') ?? (await ring.#newKey(defaultAlg, 'next'))
      if (!keys.includes(next)) keys.push(next)
      ring.#activate(keys, next)
      changed = true
    }
    if (!keys.some((k) => k.state === 'next')) {
      keys.push(await ring.#newKey(followingAlg(keys), 'next'))
      changed = true
    }
    ring.#commit(keys, changed)
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
    const keys = this.#copy()
    const next = keys.find((k) => k.state === 'next')
    if (next) this.#activate(keys, next)
    // The new next key follows the key that now signs, unless told otherwise.
    keys.push(await this.#newKey(alg ?? followingAlg(keys), 'next'))
    this.#commit(this.#drop(keys), true)
    return this.list()
  }

  /**
   * Imports a plgd PEM key with plgd's own `kid`, so validators that cached it keep working.
   * It replaces the next key (which never signed); `activate` also makes it sign at once.
   * `kid` keeps the RFC 7638 thumbprint kid of a key this console made and exported (graduation
   * round trip): accepted only when it is that key's thumbprint.
   */
  async importPem(pem: string, activate: boolean, kid?: string): Promise<KeyView> {
    const privateKey = importPrivateKeyPem(pem)
    const alg = algorithmForKey(privateKey)
    if (kid !== undefined && kid !== (await thumbprintKid(privateKey))) {
      throw new AppError('invalid_input', `kid ${kid} is not the thumbprint of the key in the PEM`)
    }
    kid ??= plgdKid(privateKey)
    if (this.#keys.some((k) => k.kid === kid)) {
      throw new AppError('already_exists', `key ${kid} is already in the key ring`)
    }
    const imported = await this.#store(privateKey, kid, alg, 'next', 'imported')
    const keys = this.#copy().filter((k) => k.state !== 'next')
    keys.push(imported)
    if (activate) {
      this.#activate(keys, imported)
      keys.push(await this.#newKey(followingAlg(keys), 'next'))
    }
    this.#commit(keys, true)
    const view = this.list().find((k) => k.kid === kid)
    if (!view) throw new AppError('internal', 'imported key vanished')
    return view
  }

  /** The PEM (PKCS#8) of a key's private half: for graduation's explicit, audited export only. */
  privateKeyPem(kid: string): string {
    const key = this.#keys.find((k) => k.kid === kid)
    if (!key) throw new AppError('not_found', `no key ${kid}`)
    const der = this.#deps.sealer.open(key.privateKeySealed, aadFor(kid))
    return privateKeyFromDer(der).export({ format: 'pem', type: 'pkcs8' }) as string
  }

  /**
   * Starts over with fresh keys of another algorithm: only for first-run set-up, before any
   * token was signed (the caller checks the ledger), since it drops the current keys at once.
   */
  async replaceUnused(alg: SigningAlgorithm): Promise<KeyView[]> {
    const active = await this.#newKey(alg, 'active')
    active.activatedAt = active.createdAt
    this.#commit([active, await this.#newKey(alg, 'next')], true)
    return this.list()
  }

  /** Drops retiring keys whose tokens have all expired; returns whether anything changed. */
  purge(): boolean {
    const keys = this.#drop(this.#copy())
    const changed = keys.length !== this.#keys.length
    if (changed) this.#commit(keys, true)
    return changed
  }

  #copy(): StoredKey[] {
    return this.#keys.map((k) => ({ ...k }))
  }

  /**
   * The old active key retires once every token it signed has expired: after the lifetime cap
   * from now, or later if the ledger holds a token expiring later (the cap may have been lowered).
   */
  #activate(keys: StoredKey[], key: StoredKey): void {
    const now = this.#deps.nowSeconds()
    const retireAt = Math.max(
      now + this.#deps.maxLifetimeSeconds(),
      this.#deps.latestExpiry?.() ?? 0,
    )
    for (const k of keys) {
      if (k.state === 'active') {
        k.state = 'retiring'
        k.retireAt = retireAt
      }
    }
    key.state = 'active'
    key.activatedAt = now
  }

  #drop(keys: StoredKey[]): StoredKey[] {
    const now = this.#deps.nowSeconds()
    return keys.filter((k) => !(k.state === 'retiring' && (k.retireAt ?? 0) <= now))
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

  /** Saves first: a failed write leaves the ring signing and publishing what is on disk. */
  #commit(keys: StoredKey[], save: boolean): void {
    const active = keys.find((k) => k.state === 'active')
    if (!active) throw new AppError('internal', 'no active signing key')
    let signer = this.#signer
    if (signer?.kid !== active.kid) {
      const der = this.#deps.sealer.open(active.privateKeySealed, aadFor(active.kid))
      signer = this.#deps.signerFactory
        ? this.#deps.signerFactory(der, active.kid, active.alg)
        : createSigner(privateKeyFromDer(der), active.kid, active.alg)
    }
    const publicKeys = new Map(
      keys.map((k) => [
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
    if (save) this.#deps.save(keys.map((k) => ({ ...k })))
    this.#keys = keys
    this.#signer = signer
    this.#publicKeys = publicKeys
    this.#jwksJson = JSON.stringify({ keys: keys.map((k) => k.publicJwk) })
  }
}

/** A new key follows the active key's algorithm; RS384/RS512 exist only as imports. */
function followingAlg(keys: StoredKey[]): SigningAlgorithm {
  const alg = keys.find((k) => k.state === 'active')?.alg ?? 'ES256'
  return alg === 'RS384' || alg === 'RS512' ? 'RS256' : alg
}
