import { randomBytes } from 'node:crypto'
import { DEFAULT_CLIENT_LIFETIME_SECONDS } from '../../shared/constants.js'
import type {
  AddClientInput,
  ClientChange,
  ClientView,
  ClientWithSecret,
  UpdateClientInput,
} from '../../shared/contract/index.js'
import { addClientInput, updateClientInput } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import { toClientView, type ClientRecord } from './client-record.js'
import { generateClientSecret, hashClientSecret, hashesEqual } from './client-secret.js'

export interface ClientRegistryDeps {
  pepper: Buffer
  nowSeconds: () => number
  /** Global lifetime cap and the claim names extra claims may not shadow. */
  limits: () => { maxLifetimeSeconds: number; reservedClaims: readonly string[] }
  load: () => Record<string, ClientRecord>
  save: (clients: Record<string, ClientRecord>) => void
}

/** Standard claims that a client's extra claims can never set. */
export const STANDARD_CLAIMS = [
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'scope',
  'client_id',
  'name',
  'originalTokenClaims',
] as const

/**
 * Provisioning clients and their hashed secrets. Reads hit the in-memory map (the token
 * endpoint authenticates on every request); every change is written through at once.
 */
export class ClientRegistry {
  #clients: Map<string, ClientRecord>
  readonly #deps: ClientRegistryDeps
  /** Compared against when the client id is unknown, so timing does not reveal which ids exist. */
  readonly #decoyHash = randomBytes(32).toString('base64url')

  constructor(deps: ClientRegistryDeps) {
    this.#deps = deps
    this.#clients = new Map(Object.entries(deps.load()))
  }

  /** `secret`: keep a secret brought from elsewhere (an import from plgd) instead of a new one. */
  add(raw: AddClientInput, secret?: string): ClientWithSecret {
    const input = addClientInput.parse(raw)
    if (this.#clients.has(input.id)) {
      throw new AppError('already_exists', `client ${input.id} already exists`)
    }
    const now = this.#deps.nowSeconds()
    const record: ClientRecord = {
      id: input.id,
      owner: input.owner,
      allowedOwners: unique(input.allowedOwners.filter((o) => o !== input.owner)),
      allowDeviceId: input.allowDeviceId,
      auth: input.auth,
      audiences: unique(input.audiences),
      scopes: unique(input.scopes),
      maxLifetimeSeconds: input.maxLifetimeSeconds ?? DEFAULT_CLIENT_LIFETIME_SECONDS,
      extraClaims: input.extraClaims,
      tokenType: input.tokenType,
      disabled: false,
      createdAt: now,
      updatedAt: now,
      secrets: [],
    }
    this.#checkPolicy(record)
    if (record.auth.method !== 'client_secret') {
      this.#put(record)
      return { client: toClientView(record, now) }
    }
    const clientSecret = this.#addSecret(record, now, secret)
    this.#put(record)
    return { client: toClientView(record, now), clientSecret }
  }

  list(): ClientView[] {
    const now = this.#deps.nowSeconds()
    return [...this.#clients.values()]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((c) => toClientView(c, now))
  }

  get(id: string): ClientView {
    return toClientView(this.#require(id), this.#deps.nowSeconds())
  }

  /** The record the token endpoint applies; undefined when unknown. */
  find(id: string): ClientRecord | undefined {
    return this.#clients.get(id)
  }

  /** The previous secrets keep working for `graceSeconds` (0: stop now). */
  rotateSecret(id: string, graceSeconds: number): ClientWithSecret {
    const record = structuredClone(this.#require(id))
    if (record.auth.method !== 'client_secret') {
      throw new AppError(
        'policy_violation',
        `client ${id} authenticates with ${record.auth.method}, not a secret`,
      )
    }
    const now = this.#deps.nowSeconds()
    const until = now + graceSeconds
    record.secrets = record.secrets
      .filter((s) => s.expiresAt === null || s.expiresAt > now)
      .map((s) => ({
        ...s,
        expiresAt: s.expiresAt === null ? until : Math.min(s.expiresAt, until),
      }))
      .filter((s) => graceSeconds > 0 && (s.expiresAt ?? 0) > now)
    const clientSecret = this.#addSecret(record, now)
    record.updatedAt = now
    this.#put(record)
    return { client: toClientView(record, now), clientSecret }
  }

  /**
   * Changes a client's policy in place: its secrets stay. Returns each field that changed, with
   * its old and new value, for the audit log; nothing is written when nothing changed.
   */
  update(raw: UpdateClientInput): { client: ClientView; changes: ClientChange[] } {
    const { id, ...patch } = updateClientInput.parse(raw)
    const before = this.#require(id)
    const record: ClientRecord = structuredClone(before)
    if (patch.owner !== undefined) record.owner = patch.owner
    if (patch.allowedOwners !== undefined) record.allowedOwners = unique(patch.allowedOwners)
    if (patch.allowDeviceId !== undefined) record.allowDeviceId = patch.allowDeviceId
    if (patch.audiences !== undefined) record.audiences = unique(patch.audiences)
    if (patch.scopes !== undefined) record.scopes = unique(patch.scopes)
    if (patch.maxLifetimeSeconds !== undefined) record.maxLifetimeSeconds = patch.maxLifetimeSeconds
    if (patch.extraClaims !== undefined) record.extraClaims = patch.extraClaims
    if (patch.tokenType !== undefined) record.tokenType = patch.tokenType
    record.allowedOwners = record.allowedOwners.filter((o) => o !== record.owner)
    if (record.auth.method !== 'user_assertion' && record.owner === '') {
      throw new AppError(
        'invalid_input',
        `client ${id} needs an owner: only a user-assertion client takes it from the user's token`,
      )
    }
    this.#checkPolicy(record)
    const now = this.#deps.nowSeconds()
    const changes = UPDATABLE_FIELDS.filter(
      (f) => JSON.stringify(before[f]) !== JSON.stringify(record[f]),
    ).map((field) => ({ field, from: before[field], to: record[field] }))
    if (changes.length === 0) return { client: toClientView(before, now), changes }
    record.updatedAt = now
    this.#put(record)
    return { client: toClientView(record, now), changes }
  }

  /** Ends the grace period of every previous secret now; returns how many stopped working. */
  endGrace(id: string): { client: ClientView; ended: number } {
    const now = this.#deps.nowSeconds()
    const record = structuredClone(this.#require(id))
    const before = record.secrets.filter((s) => s.expiresAt === null || s.expiresAt > now).length
    record.secrets = record.secrets.filter((s) => s.expiresAt === null)
    const ended = before - record.secrets.length
    if (ended === 0) return { client: toClientView(record, now), ended }
    record.updatedAt = now
    this.#put(record)
    return { client: toClientView(record, now), ended }
  }

  setDisabled(id: string, disabled: boolean): ClientView {
    const record = { ...this.#require(id), disabled, updatedAt: this.#deps.nowSeconds() }
    this.#put(record)
    return toClientView(record, record.updatedAt)
  }

  remove(id: string): void {
    this.#require(id)
    const next = new Map(this.#clients)
    next.delete(id)
    this.#commit(next)
  }

  /**
   * Checks a client's secret in constant time against every secret still valid. Returns the
   * client only when it exists, is enabled and the secret matches.
   */
  authenticate(id: string, secret: string): ClientRecord | undefined {
    const presented = hashClientSecret(this.#deps.pepper, secret)
    const record = this.#clients.get(id)
    if (!record || record.auth.method !== 'client_secret') {
      hashesEqual(presented, this.#decoyHash)
      return undefined
    }
    const now = this.#deps.nowSeconds()
    let match = false
    for (const s of record.secrets) {
      const live = s.expiresAt === null || s.expiresAt > now
      match = hashesEqual(presented, s.hash) && live ? true : match
    }
    return match && !record.disabled ? record : undefined
  }

  #addSecret(record: ClientRecord, now: number, secret = generateClientSecret()): string {
    record.secrets.unshift({
      hash: hashClientSecret(this.#deps.pepper, secret).toString('base64url'),
      createdAt: now,
      expiresAt: null,
    })
    return secret
  }

  #checkPolicy(record: ClientRecord): void {
    const { maxLifetimeSeconds, reservedClaims } = this.#deps.limits()
    if (record.maxLifetimeSeconds > maxLifetimeSeconds) {
      throw new AppError(
        'policy_violation',
        `a lifetime of ${record.maxLifetimeSeconds} s exceeds the issuer's cap of ${maxLifetimeSeconds} s`,
      )
    }
    const shadowed = Object.keys(record.extraClaims).filter((k) => reservedClaims.includes(k))
    if (shadowed.length > 0) {
      throw new AppError(
        'policy_violation',
        `extra claims cannot set standard claims: ${shadowed.join(', ')}`,
      )
    }
  }

  #require(id: string): ClientRecord {
    const record = this.#clients.get(id)
    if (!record) throw new AppError('not_found', `no client ${id}`)
    return record
  }

  #put(record: ClientRecord): void {
    this.#commit(new Map(this.#clients).set(record.id, record))
  }

  /** Saves first, so a failed write leaves the running state as it was on disk. */
  #commit(next: Map<string, ClientRecord>): void {
    this.#deps.save(Object.fromEntries(next))
    this.#clients = next
  }
}

/** The fields `update` may change, in the order its audit entries list them. */
const UPDATABLE_FIELDS = [
  'owner',
  'allowedOwners',
  'allowDeviceId',
  'audiences',
  'scopes',
  'maxLifetimeSeconds',
  'extraClaims',
  'tokenType',
] as const

function unique(values: string[]): string[] {
  return [...new Set(values)]
}
