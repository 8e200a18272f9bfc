import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto'
import { canonicalJson } from '../platform/canonical-json.js'

/**
 * An authentication tag over the parts of settings.json that decide who may mint what: the
 * client registry, the trusted authorities and the key list. Anyone who can write the file could
 * otherwise add a client with their own JWKS and mint for any owner, with no audit entry. The
 * tag's key is derived (HKDF) from the vault's wrapping key, which the file does not hold.
 *
 * The record keeps one SHA-256 digest per section (so a mismatch names what changed) and the
 * audit log's head (count and latest hash, so cutting off the newest entries is seen), all under
 * one HMAC: a section cannot be swapped in from an older copy on its own.
 */

export const INTEGRITY_SECTIONS = ['clients', 'trustedAuthorities', 'keys'] as const
export type IntegritySection = (typeof INTEGRITY_SECTIONS)[number]

/** What a human reads in an error for each section. */
export const SECTION_NAMES: Record<IntegritySection, string> = {
  clients: 'the client registry (clients)',
  trustedAuthorities: 'the trusted authorities (issuer.trustedAuthorities)',
  keys: 'the signing key list (keys)',
}

export interface AuditAnchor {
  /** Entries in the audit log when it was last appended to. */
  count: number
  /** The newest entry's hash. */
  head: string
}

export interface IntegrityRecord {
  v: 1
  digests: Record<IntegritySection, string>
  audit: AuditAnchor | null
  /** HMAC-SHA-256 (base64url) of the canonical JSON of `{ v, digests, audit }`. */
  tag: string
}

export type IntegrityCheck =
  | { state: 'ok' }
  | { state: 'absent' }
  /** `sections` empty: the record itself was edited (or belongs to another vault). */
  | { state: 'changed'; sections: IntegritySection[] }

const HKDF_INFO = 'plgd-m2m-console settings integrity v1'

/** A key for this purpose only, derived from the wrapping key (a label per purpose). */
export function integrityKey(wrappingKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', wrappingKey, Buffer.alloc(0), HKDF_INFO, 32))
}

function digest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url')
}

export interface IntegrityStore {
  /** The current value of each section, as settings.json holds it. */
  read: Record<IntegritySection, () => unknown>
  load(): IntegrityRecord | undefined
  save(record: IntegrityRecord): void
}

export class SettingsIntegrity {
  readonly #key: Buffer
  readonly #store: IntegrityStore
  #digests: Record<IntegritySection, string>
  #audit: AuditAnchor | null
  #pendingWrite: NodeJS.Immediate | undefined

  /** Told when a deferred anchor write fails (the anchor stays in memory; the next write retries). */
  readonly #onDeferredError: (err: unknown) => void

  constructor(
    wrappingKey: Buffer,
    store: IntegrityStore,
    onDeferredError: (err: unknown) => void = () => {},
  ) {
    this.#key = integrityKey(wrappingKey)
    this.#store = store
    this.#onDeferredError = onDeferredError
    const stored = store.load()
    this.#digests = stored?.digests ?? this.#current()
    this.#audit = stored?.audit ?? null
  }

  /** Compares settings.json with its record; run once, before anything is read from it. */
  check(): IntegrityCheck {
    const stored = this.#store.load()
    if (stored === undefined) return { state: 'absent' }
    if (stored.v !== 1 || !this.#tagMatches(stored)) return { state: 'changed', sections: [] }
    const now = this.#current()
    const sections = INTEGRITY_SECTIONS.filter((s) => stored.digests[s] !== now[s])
    return sections.length === 0 ? { state: 'ok' } : { state: 'changed', sections }
  }

  /** Tags settings.json as it is now (a new directory, an upgrade, an accepted change). */
  seal(audit: AuditAnchor | null): void {
    this.#digests = this.#current()
    this.#audit = audit
    this.#write()
  }

  /**
   * The record once `section` holds `value`, to be written in the same file write as the
   * section (so a crash never leaves one without the other); `commit` once it is on disk.
   * Undefined when the section does not change.
   */
  prepare(
    section: IntegritySection,
    value: unknown,
  ): { record: IntegrityRecord; commit(): void } | undefined {
    const next = digest(value)
    if (next === this.#digests[section]) return undefined
    const digests = { ...this.#digests, [section]: next }
    const body = { v: 1 as const, digests, audit: this.#audit }
    return {
      record: { ...body, tag: this.#tag(body).toString('base64url') },
      commit: () => {
        this.#digests = digests
        if (this.#pendingWrite === undefined) return
        // The record just written carried the pending anchor already.
        clearImmediate(this.#pendingWrite)
        this.#pendingWrite = undefined
      },
    }
  }

  /** The head that `audit verify` expects at least, written now. */
  anchorAudit(anchor: AuditAnchor): void {
    this.#audit = anchor
    this.#write()
  }

  /**
   * After each audit append: in memory now, on disk once the current burst of appends is over
   * (one settings write for many entries). Lost in a crash, the anchor is only behind, which
   * `audit verify` accepts.
   */
  anchorAuditSoon(anchor: AuditAnchor): void {
    this.#audit = anchor
    // Off the caller's stack: a failed write (disk full, read-only) must not crash the process.
    this.#pendingWrite ??= setImmediate(() => {
      try {
        this.flush()
      } catch (err) {
        this.#onDeferredError(err)
      }
    })
  }

  /** Writes a pending anchor (at close). */
  flush(): void {
    if (this.#pendingWrite === undefined) return
    clearImmediate(this.#pendingWrite)
    this.#pendingWrite = undefined
    this.#write()
  }

  auditAnchor(): AuditAnchor | undefined {
    return this.#audit ?? undefined
  }

  #current(): Record<IntegritySection, string> {
    const out = {} as Record<IntegritySection, string>
    for (const s of INTEGRITY_SECTIONS) out[s] = digest(this.#store.read[s]())
    return out
  }

  #tag(body: Omit<IntegrityRecord, 'tag'>): Buffer {
    return createHmac('sha256', this.#key).update(canonicalJson(body)).digest()
  }

  #tagMatches(record: IntegrityRecord): boolean {
    if (
      typeof record.tag !== 'string' ||
      record.digests === null ||
      typeof record.digests !== 'object'
    ) {
      return false
    }
    const expected = this.#tag({
      v: record.v,
      digests: record.digests,
      audit: record.audit ?? null,
    })
    const actual = Buffer.from(record.tag, 'base64url')
    return actual.length === expected.length && timingSafeEqual(actual, expected)
  }

  #write(): void {
    if (this.#pendingWrite !== undefined) {
      clearImmediate(this.#pendingWrite)
      this.#pendingWrite = undefined
    }
    const body = { v: 1 as const, digests: this.#digests, audit: this.#audit }
    this.#store.save({ ...body, tag: this.#tag(body).toString('base64url') })
  }
}
