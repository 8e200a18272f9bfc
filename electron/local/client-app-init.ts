import { randomBytes } from 'node:crypto'
import type { LocalStatus, ParsedInput } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import type { StoredClientApp } from './client-app-context.js'
import { sameOwner } from './client-app-status.js'
import type { ClientAppHandle, ClientApps } from './client-apps.js'
import type { CsrSigner } from './csr-signing.js'

/** What a client of our issuer must be for client-application to accept its tokens. */
export interface InitClientFacts {
  owner: string
  allowedOwners: string[]
  disabled: boolean
  authMethod: string
}

export interface LocalAdminDeps {
  apps: ClientApps
  /** The issuer's public keys (JWKS), pushed so that client-application accepts our tokens. */
  jwks(): unknown
  client(clientId: string): InitClientFacts | undefined
  /** The hub profile's certificate-authority, signing with a bearer of ours for `owner`. */
  signer(
    hub: string,
    publishedCa: string | null,
    bearer: () => Promise<string>,
    owner: string,
  ): CsrSigner
  audit(action: string, subject: string, details: Record<string, unknown>): void
  changed(url: string): void
  nowSeconds(): number
  /** The PSK key of a first initialisation; crypto-random by default. */
  newKey?: () => string
}

interface Challenge {
  identityCertificateChallenge?: { certificateSigningRequest?: string; state?: string }
}

/**
 * A fresh PSK key: 24 random bytes as base64url, 32 characters. client-application uses the
 * first 16 bytes of the text, which carry 96 random bits.
 */
export function newPskKey(): string {
  return randomBytes(24).toString('base64url')
}

/** client-application answered where the status looked: else the status's own words. */
async function runningStatus(handle: ClientAppHandle): Promise<LocalStatus> {
  const status = await handle.status()
  if (!status.running) {
    throw new AppError(
      'upstream',
      status.problems[0]?.message ?? `nothing answers at ${handle.url}`,
    )
  }
  return status
}

/**
 * `local.init`: initialises client-application in the mode it is configured for. PSK: subject
 * id = owner, a key the console keeps only sealed (the same again for the same URL and owner,
 * so devices owned with it stay reachable), never saved by client-application. X509: our JWKS
 * pushed with a bearer of `clientId` carrying the owner; a CSR challenge is signed by the hub's
 * certificate-authority. Refuses to take over another owner's client-application unless `force`.
 */
export async function initClientApp(
  deps: LocalAdminDeps,
  input: ParsedInput<'local.init'>,
): Promise<LocalStatus> {
  const { apps } = deps
  let handle = apps.open(input.clientAppUrl)
  const { url } = handle
  let status = await runningStatus(handle)
  const record = handle.record
  if (status.initialized) {
    const owner = status.owner ?? ''
    const sameClient =
      record !== null &&
      sameOwner(owner, input.owner) &&
      (status.mode !== 'X509' || input.clientId === undefined || input.clientId === record.clientId)
    if (sameClient && !input.force) return status
    if (!input.force) {
      throw new AppError(
        'conflict',
        `client-application at ${url} is already initialised${owner ? ` by owner "${owner}"` : ''}${record ? ` (this console initialised it for "${record.owner}"${record.clientId ? ` with client ${record.clientId}` : ''})` : ' by someone else'}: add --force to reset it first (devices it owns stay owned by that owner until disowned)`,
      )
    }
    await handle.client.json('POST', '/api/v1/reset', { body: {} })
    deps.audit('local.reset', url, { reason: 'init --force', owner: status.owner })
    handle = apps.open(url)
    status = await runningStatus(handle)
  }
  const mode =
    status.mode === 'UNINITIALIZED'
      ? input.clientId
        ? 'X509'
        : 'PRE_SHARED_KEY'
      : (status.mode ?? 'PRE_SHARED_KEY')
  const now = deps.nowSeconds()
  let stored: StoredClientApp
  if (mode === 'PRE_SHARED_KEY') {
    const reuse = record?.mode === 'PRE_SHARED_KEY' && record.owner === input.owner
    const key = (reuse ? apps.openKey(record) : null) ?? (deps.newKey ?? newPskKey)()
    await apps.clientFor(url).json('POST', '/api/v1/initialize', {
      body: { preSharedKey: { subjectId: input.owner, key, save: false } },
    })
    stored = {
      url,
      mode,
      owner: input.owner,
      clientId: null,
      hub: null,
      pskSealed: apps.sealKey(url, input.owner, key),
      initializedAt: now,
    }
  } else {
    stored = await initX509(deps, handle, status, input)
  }
  apps.saveRecord(stored)
  deps.audit('local.initialized', url, {
    mode: stored.mode,
    owner: stored.owner,
    clientId: stored.clientId,
    hub: stored.hub,
    keyReused:
      stored.mode === 'PRE_SHARED_KEY' &&
      record?.pskSealed != null &&
      record.owner === stored.owner,
  })
  deps.changed(url)
  return apps.open(url).status()
}

async function initX509(
  deps: LocalAdminDeps,
  handle: ClientAppHandle,
  status: LocalStatus,
  input: ParsedInput<'local.init'>,
): Promise<StoredClientApp> {
  const { url } = handle
  const { owner } = input
  const clientId = input.clientId
  if (clientId === undefined) {
    throw new AppError(
      'invalid_input',
      `client-application at ${url} authenticates with X509: give --client ID, the client of this issuer whose tokens it will accept (its owner, or one it may mint for, must be ${owner})`,
    )
  }
  refuseClient(deps.client(clientId), clientId, owner)
  const remote = status.remoteProvisioning?.mode === 'USER_AGENT'
  if (remote && input.hub === undefined) {
    throw new AppError(
      'invalid_input',
      `client-application at ${url} has its identity certificate signed by the hub's certificate-authority (remote provisioning): give --hub NAME, the hub profile whose certificate-authority signs it`,
    )
  }
  const bearer = deps.apps.bearerFor(url, clientId, owner)
  // Signing needs the hub: resolved before client-application is asked for a challenge.
  const sign =
    input.hub === undefined
      ? undefined
      : deps.signer(
          input.hub,
          status.remoteProvisioning?.certificateAuthority ?? null,
          bearer,
          owner,
        )
  const client = deps.apps.clientFor(url, bearer, owner)
  const answer = await client.json<Challenge | undefined>('POST', '/api/v1/initialize', {
    body: { jwks: deps.jwks() },
  })
  const challenge = answer?.identityCertificateChallenge
  if (challenge?.state) {
    if (!sign) {
      throw new AppError(
        'invalid_input',
        `client-application at ${url} asks for its identity certificate to be signed by the hub's certificate-authority: give --hub NAME`,
      )
    }
    const certificate = await sign(challenge.certificateSigningRequest ?? '')
    await client.json('POST', `/api/v1/initialize/${encodeURIComponent(challenge.state)}`, {
      body: { certificate },
    })
  }
  return {
    url,
    mode: 'X509',
    owner,
    clientId,
    hub: input.hub ?? null,
    pskSealed: null,
    initializedAt: deps.nowSeconds(),
  }
}

/** The console mints for the client without its credentials, for this very owner. */
function refuseClient(client: InitClientFacts | undefined, id: string, owner: string): void {
  if (!client) {
    throw new AppError(
      'not_found',
      `no client ${id}: add one with \`clients add --id ${id} --owner ${owner}\``,
    )
  }
  if (client.disabled) {
    throw new AppError(
      'policy_violation',
      `client ${id} is disabled: \`clients enable ${id}\` first`,
    )
  }
  if (client.authMethod === 'user_assertion') {
    throw new AppError(
      'policy_violation',
      `client ${id} mints only for a user's token: choose a client with an owner of its own`,
    )
  }
  if (client.owner !== owner && !client.allowedOwners.includes(owner)) {
    throw new AppError(
      'policy_violation',
      `client ${id} mints tokens for owner "${client.owner}"${client.allowedOwners.length > 0 ? ` (or ${client.allowedOwners.join(', ')})` : ''}, not "${owner}": use a client whose owner is ${owner} (\`clients add --id ID --owner ${owner}\`)`,
    )
  }
}

/** `local.reset`: flushes client-application's identity; the sealed PSK key is kept. */
export async function resetClientApp(
  deps: LocalAdminDeps,
  input: ParsedInput<'local.reset'>,
): Promise<LocalStatus> {
  const handle = deps.apps.open(input.clientAppUrl)
  const before = await runningStatus(handle)
  await handle.client.json('POST', '/api/v1/reset', { body: {} })
  deps.audit('local.reset', handle.url, { owner: before.owner, mode: before.mode })
  deps.changed(handle.url)
  return handle.status()
}
