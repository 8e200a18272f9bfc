import type { z } from 'zod'
import {
  addClientInput,
  type AddClientInput,
  type PlgdImport,
  type importPlgdInput,
} from '../../shared/contract/index.js'
import { TOKEN_TYPES } from '../../shared/enums.js'
import { AppError } from '../../shared/errors.js'
import type { App } from '../app.js'
import { STANDARD_CLAIMS } from '../clients/client-registry.js'
import {
  algorithmForKey,
  importPrivateKeyPem,
  plgdKid,
  thumbprintKid,
} from '../keys/key-material.js'
import {
  CLIENT_CREDENTIALS,
  KNOWN_CLIENT_FIELDS,
  KNOWN_SIGNER_FIELDS,
  KNOWN_TOP_LEVEL,
  parseGoDuration,
  readPlgdConfig,
  resolveReference,
  type PlgdClient,
  type PlgdEndpoint,
} from './plgd-config.js'
import type { ConsoleSidecar } from './plgd-graduation.js'

/**
 * Import from plgd's m2m-oauth-server (interop §1.11, §1.12): its key with plgd's kid, its
 * clients with their policies and secrets (hashed on the way in), its claim names. Everything is
 * checked before anything changes; then it is applied as a whole.
 */

export type ImportInput = z.output<typeof importPlgdInput>

export interface ImportDeps {
  app: App
  audit(action: string, subject: string, details?: Record<string, unknown>): void
}

interface PlannedClient {
  input: AddClientInput
  secret?: string
}

const refuse = (message: string): never => {
  throw new AppError('invalid_input', message)
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function unknownFields(
  value: Record<string, unknown>,
  known: readonly string[],
  at: string,
): string[] {
  return Object.keys(value)
    .filter((k) => !known.includes(k))
    .map((k) => `${at}.${k}`)
}

function stringList(value: unknown, at: string): string[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    return refuse(`${at} must be a list of strings`)
  }
  return value
}

function readSidecar(json: string | undefined): ConsoleSidecar | undefined {
  if (json === undefined) return undefined
  let sidecar: unknown
  try {
    sidecar = JSON.parse(json)
  } catch {
    return refuse('console-sidecar.json is not JSON: remove it, or export again')
  }
  if (!isObject(sidecar) || sidecar.format !== 'plgd-m2m-console-sidecar') {
    return refuse('console-sidecar.json is not a sidecar of export plgd: remove it')
  }
  return sidecar as unknown as ConsoleSidecar
}

/** The CA PEMs an endpoint's caPool names (string or list of URI-scheme references). */
function caPemOf(
  endpoint: PlgdEndpoint,
  files: Record<string, string>,
  at: string,
): string | undefined {
  const pool = endpoint.http?.tls?.caPool
  const refs = pool === undefined ? [] : Array.isArray(pool) ? pool : [pool]
  const pems = refs.filter((r) => r !== '').map((r) => resolveReference(r, files, `${at}.caPool`))
  return pems.length > 0 ? pems.join('\n') : undefined
}

function planClient(
  raw: unknown,
  index: number,
  ctx: {
    files: Record<string, string>
    sidecar: ConsoleSidecar | undefined
    maxLifetimeSeconds: number
    reserved: string[]
    notes: string[]
  },
): PlannedClient {
  const at = `oauthSigner.clients[${index}]`
  if (!isObject(raw)) return refuse(`${at} is not an object`)
  const c = raw as unknown as PlgdClient
  if (typeof c.id !== 'string' || c.id === '') return refuse(`${at}.id is required`)
  const where = `${at} (${c.id})`
  ctx.notes.push(
    ...unknownFields(raw, KNOWN_CLIENT_FIELDS, where).map((f) => `unknown field ${f} ignored`),
  )
  const grants = stringList(c.allowedGrantTypes, `${where}.allowedGrantTypes`)
  if (grants.length === 0 || grants.some((g) => g !== CLIENT_CREDENTIALS)) {
    refuse(
      `${where}.allowedGrantTypes must be [${CLIENT_CREDENTIALS}] (the only grant plgd accepts)`,
    )
  }
  const lifetime = parseGoDuration(String(c.accessTokenLifetime ?? '0s'))
  if (lifetime === null) {
    refuse(
      `${where}.accessTokenLifetime ${String(c.accessTokenLifetime)} is not a Go duration (3600s, 1h)`,
    )
  }
  let maxLifetimeSeconds = lifetime!
  if (maxLifetimeSeconds === 0) {
    maxLifetimeSeconds = ctx.maxLifetimeSeconds
    ctx.notes.push(
      `${c.id}: accessTokenLifetime 0s (no expiry) is not allowed here: set to the issuer's ` +
        `cap of ${ctx.maxLifetimeSeconds} s`,
    )
  } else if (maxLifetimeSeconds > ctx.maxLifetimeSeconds) {
    refuse(
      `${where}.accessTokenLifetime ${String(c.accessTokenLifetime)} exceeds the issuer's cap of ` +
        `${ctx.maxLifetimeSeconds} s: raise it first (settings set --max-lifetime ${maxLifetimeSeconds})`,
    )
  }
  const claims = isObject(c.insertTokenClaims) ? c.insertTokenClaims : {}
  const shadowed = Object.keys(claims).filter((k) => ctx.reserved.includes(k))
  if (shadowed.length > 0) {
    refuse(
      `${where}.insertTokenClaims cannot set ${shadowed.join(', ')} here (a standard or the owner/device-id claim)`,
    )
  }
  const extra = ctx.sidecar?.clients[c.id]
  const tokenType = extra?.tokenType ?? 'JWT'
  if (!(TOKEN_TYPES as readonly string[]).includes(tokenType)) {
    refuse(
      `console-sidecar.json: ${c.id}.tokenType ${tokenType} is not one of ${TOKEN_TYPES.join(', ')}`,
    )
  }
  const policy = {
    id: c.id,
    allowedOwners: extra?.allowedOwners ?? [],
    allowDeviceId: extra?.allowDeviceId ?? false,
    audiences: stringList(c.allowedAudiences, `${where}.allowedAudiences`),
    scopes: stringList(c.allowedScopes, `${where}.allowedScopes`),
    maxLifetimeSeconds,
    extraClaims: claims as Record<string, never>,
    tokenType: tokenType as (typeof TOKEN_TYPES)[number],
  }
  let planned: PlannedClient
  if (c.jwtPrivateKey?.enabled) {
    const endpoints = c.jwtPrivateKey.authorization?.endpoints ?? []
    if (endpoints.length === 0) {
      refuse(`${where}.jwtPrivateKey.authorization.endpoints is empty: name the users' authority`)
    }
    if (typeof c.owner === 'string' && c.owner !== '' && extra?.owner !== c.owner) {
      ctx.notes.push(
        `${c.id}: owner ${c.owner} dropped: a user-assertion client takes the owner from the ` +
          "user's token (plgd would also mint for it without any token)",
      )
    }
    planned = {
      input: {
        ...policy,
        owner: extra?.owner ?? '',
        auth: {
          method: 'user_assertion',
          authorities: endpoints.map((e, i) => {
            const caPem = caPemOf(
              e,
              ctx.files,
              `${where}.jwtPrivateKey.authorization.endpoints[${i}]`,
            )
            return { authority: e.authority, ...(caPem ? { caPem } : {}) }
          }),
        },
      },
    }
  } else {
    if (typeof c.owner !== 'string' || c.owner === '') {
      refuse(`${where}.owner is required (plgd requires it for a client without jwtPrivateKey)`)
    }
    if (typeof c.secretFile !== 'string' || c.secretFile === '') {
      refuse(
        `${where}.secretFile is required (plgd requires it for a client without jwtPrivateKey)`,
      )
    }
    // The file's bytes are the secret, not trimmed (plgd reads them as they are).
    const secret = resolveReference(c.secretFile!, ctx.files, `${where}.secretFile`)
    if (secret === '') refuse(`${where}.secretFile ${c.secretFile} is empty`)
    planned = { input: { ...policy, owner: c.owner!, auth: { method: 'client_secret' } }, secret }
  }
  const parsed = addClientInput.safeParse(planned.input)
  if (!parsed.success) {
    refuse(
      `${where}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    )
  }
  return planned
}

/** Reads and checks everything, then applies it: clients, the claim names, the key. */
export async function importFromPlgd(deps: ImportDeps, input: ImportInput): Promise<PlgdImport> {
  const { app } = deps
  const { config, signer } = readPlgdConfig(input.configYaml)
  const notes = [
    ...unknownFields(config, KNOWN_TOP_LEVEL, 'config').map((f) => `unknown field ${f} ignored`),
    ...unknownFields(signer, KNOWN_SIGNER_FIELDS, 'oauthSigner').map(
      (f) => `unknown field ${f} ignored`,
    ),
  ]
  const ownerClaim = typeof signer.ownerClaim === 'string' ? signer.ownerClaim : ''
  if (ownerClaim === '') refuse('oauthSigner.ownerClaim is required')
  const deviceIdClaim =
    typeof signer.deviceIDClaim === 'string' && signer.deviceIDClaim !== ''
      ? signer.deviceIDClaim
      : app.issuerSettings().deviceIdClaim
  if (!Array.isArray(signer.clients) || signer.clients.length === 0) {
    refuse('oauthSigner.clients is required and must not be empty')
  }
  const sidecar = readSidecar(input.sidecarJson)

  // The key: plgd's kid, or the console's own kid when the sidecar names the key's thumbprint.
  let key: { pem: string; kid: string; alg: string; keepKid?: string } | undefined
  if (typeof signer.privateKeyFile === 'string' && signer.privateKeyFile !== '') {
    const pem = resolveReference(signer.privateKeyFile, input.files, 'oauthSigner.privateKeyFile')
    let privateKey
    try {
      privateKey = importPrivateKeyPem(pem)
      const alg = algorithmForKey(privateKey)
      const thumbprint = await thumbprintKid(privateKey)
      const keepKid = sidecar?.kid === thumbprint ? thumbprint : undefined
      key = { pem, kid: keepKid ?? plgdKid(privateKey), alg, ...(keepKid ? { keepKid } : {}) }
    } catch (cause) {
      throw new AppError(
        'invalid_input',
        `oauthSigner.privateKeyFile ${signer.privateKeyFile}: ${(cause as Error).message}`,
        { cause },
      )
    }
    if (app.keys.list().some((k) => k.kid === key!.kid)) {
      refuse(`the key of ${signer.privateKeyFile} (kid ${key.kid}) is already in the key ring`)
    }
  } else {
    notes.push('no oauthSigner.privateKeyFile: no key imported')
  }

  const reserved = [...STANDARD_CLAIMS, ownerClaim, deviceIdClaim]
  const maxLifetimeSeconds = app.issuerSettings().maxLifetimeSeconds
  const planned = (signer.clients as unknown[]).map((raw, i) =>
    planClient(raw, i, { files: input.files, sidecar, maxLifetimeSeconds, reserved, notes }),
  )
  const ids = planned.map((p) => p.input.id)
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i)
  if (twice.length > 0) refuse(`oauthSigner.clients lists ${twice.join(', ')} more than once`)
  const existing = ids.filter((id) => app.clients.find(id))
  if (existing.length > 0) {
    refuse(
      `client ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''} here: ` +
        `remove ${existing.length === 1 ? 'it' : 'them'} first (clients remove ID), or import into a fresh --data-dir`,
    )
  }

  // Checked: apply. The claim names first (a client's extra claims are checked against them).
  const issuerBefore = app.settings.get('issuer')
  app.settings.set('issuer', { ...app.issuerSettings(), ownerClaim, deviceIdClaim })
  const added: string[] = []
  try {
    for (const p of planned) {
      app.clients.add(p.input, p.secret)
      added.push(p.input.id)
    }
  } catch (err) {
    for (const id of added) app.clients.remove(id)
    app.settings.set('issuer', issuerBefore)
    throw err
  }
  let imported: PlgdImport['key'] = null
  if (key) {
    const view = await app.keys.importPem(key.pem, input.activate, key.keepKid)
    imported = { kid: view.kid, alg: view.alg, activated: input.activate }
    app.events.emit({ type: 'key.rotated', data: { activeKid: app.keys.active().kid } })
  }
  for (const id of added) app.events.emit({ type: 'client.changed', data: { id } })
  deps.audit('import.plgd', imported?.kid ?? '-', {
    clients: added,
    kid: imported?.kid ?? null,
    activated: imported?.activated ?? false,
    ownerClaim,
    deviceIdClaim,
  })
  return {
    clients: added.map((id) => ({ id, outcome: 'added' as const })),
    key: imported,
    claims: { ownerClaim, deviceIdClaim },
    notes,
  }
}
