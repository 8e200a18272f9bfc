import { NIL as NIL_UUID, v5 as uuidv5, validate as isUuid } from 'uuid'
import type { LocalAuthMode, LocalProblem, LocalStatus } from '../../shared/contract/index.js'
import type { PlgdClient } from '../plgd/plgd-client.js'
import { clientAppNotRunning, PlgdError } from '../plgd/plgd-error.js'
import { secondsFromNs } from '../plgd/plgd-json.js'
import type { StoredClientApp } from './client-app-context.js'

/**
 * `GET /.well-known/configuration` as client-application answers it (interop §6.1). plgd's
 * default marshaller drops zero values: an absent mode is the enum's first value.
 */
export interface WireClientAppConfig {
  isInitialized?: boolean
  deviceAuthenticationMode?: string
  owner?: string
  version?: string
  buildInfo?: { version?: string }
  ui?: { defaultDiscoveryTimeout?: string | number }
  remoteProvisioning?: {
    mode?: string
    authority?: string
    id?: string
    coapGateway?: string
    certificateAuthority?: string
    jwtOwnerClaim?: string
  }
}

/** What the status needs to know of a client of our issuer (X509 mode's credentials). */
export type ClientState = 'ok' | 'missing' | 'disabled'

/** client-application's discovery default when it publishes none (interop §6.1). */
const DEFAULT_DISCOVERY_SECONDS = 2
/** The configuration is small and local: a client-application that takes longer is stuck. */
export const STATUS_TIMEOUT_MS = 5_000

/**
 * plgd's OwnerToUUID (interop §2.7): the owner itself when it is a non-nil UUID, else the
 * UUIDv5 of it in the URL namespace. client-application may report the owner either way.
 */
export function ownerToUuid(owner: string): string {
  return isUuid(owner) && owner !== NIL_UUID ? owner.toLowerCase() : uuidv5(owner, uuidv5.URL)
}

export function sameOwner(reported: string, ours: string): boolean {
  return reported === ours || reported.toLowerCase() === ownerToUuid(ours)
}

export interface StatusFacts {
  url: string
  /** The configuration read now; null when nothing usable answered (see `failure`). */
  config: WireClientAppConfig | null
  /** Why the configuration could not be read, in words. */
  failure?: string | undefined
  record: StoredClientApp | null
  clientState(clientId: string): ClientState
}

/** The status a configuration (or its absence) gives, each problem with its fix. */
export function statusOf(facts: StatusFacts): LocalStatus {
  const { url, config, record } = facts
  const ours = record && {
    mode: record.mode,
    owner: record.owner,
    clientId: record.clientId,
    hub: record.hub,
    initializedAt: record.initializedAt,
  }
  if (!config) {
    const why = facts.failure ? ` (${facts.failure})` : ''
    return {
      url,
      running: false,
      initialized: false,
      mode: null,
      remoteProvisioning: null,
      owner: null,
      ours,
      version: null,
      defaultDiscoveryTimeoutSeconds: DEFAULT_DISCOVERY_SECONDS,
      problems: [{ problem: 'not_running', message: `${clientAppNotRunning(url)}${why}` }],
    }
  }
  const mode = authMode(config.deviceAuthenticationMode)
  const initialized = config.isInitialized === true
  const owner = config.owner || null
  const rp = config.remoteProvisioning
  const problems: { problem: LocalProblem; message: string }[] = []
  const add = (problem: LocalProblem, message: string): void => {
    problems.push({ problem, message })
  }
  const x509 = mode === 'X509' || record?.mode === 'X509'
  const initCommand = `local init --owner ${record?.owner ?? 'OWNER'}${x509 ? ` --client ${record?.clientId ?? 'CLIENT_ID'}${record?.hub || rp?.mode === 'USER_AGENT' ? ` --hub ${record?.hub ?? 'NAME'}` : ''}` : ''}`
  if (!initialized) {
    const keep =
      record?.mode === 'PRE_SHARED_KEY'
        ? ' (the console gives it the same key as before: devices owned with it stay reachable)'
        : ''
    add(
      'not_initialized',
      `client-application at ${url} is not initialised: run \`${initCommand}\`${keep}`,
    )
  } else if (record && owner !== null && !sameOwner(owner, record.owner)) {
    add(
      'other_owner',
      `client-application at ${url} was initialised by another owner ("${owner}"; this console initialised it for "${record.owner}"): \`${initCommand} --force\` resets and re-initialises it, or \`local reset\``,
    )
  } else if (!record && mode === 'X509') {
    add(
      'other_owner',
      `client-application at ${url} was initialised in X509 mode by someone else (owner "${owner ?? 'unknown'}"), so it accepts only their tokens: \`local init --owner OWNER --client CLIENT_ID --force\` resets and re-initialises it, or \`local reset\``,
    )
  } else if (record?.mode === 'X509') {
    const state = record.clientId === null ? 'missing' : facts.clientState(record.clientId)
    if (state !== 'ok') {
      const client = record.clientId ?? '(none)'
      const fix =
        state === 'disabled'
          ? `\`clients enable ${client}\`, or`
          : `add it again (\`clients add --id ${client} --owner ${record.owner}\`) or`
      add(
        'no_credentials',
        `client-application at ${url} accepts tokens of client ${client}, which is ${state === 'disabled' ? 'disabled' : 'gone'}: ${fix} re-initialise with another client (\`local init --owner ${record.owner} --client CLIENT_ID --force\`)`,
      )
    }
  }
  const timeout = safeSeconds(config.ui?.defaultDiscoveryTimeout)
  return {
    url,
    running: true,
    initialized,
    mode,
    remoteProvisioning: rp
      ? {
          mode: rp.mode === 'USER_AGENT' ? 'USER_AGENT' : 'MODE_NONE',
          authority: rp.authority || null,
          hubId: rp.id || null,
          coapGateway: rp.coapGateway || null,
          certificateAuthority: rp.certificateAuthority || null,
          jwtOwnerClaim: rp.jwtOwnerClaim || null,
        }
      : null,
    owner,
    ours,
    version: config.buildInfo?.version || config.version || null,
    defaultDiscoveryTimeoutSeconds: timeout > 0 ? timeout : DEFAULT_DISCOVERY_SECONDS,
    problems,
  }
}

/**
 * Reads the configuration and turns it into a status. Never throws for a client-application
 * that is stopped, or for something else answering at its URL: the status says so.
 */
export async function readStatus(
  client: PlgdClient,
  facts: Omit<StatusFacts, 'config' | 'failure'>,
  signal?: AbortSignal,
): Promise<LocalStatus> {
  let config: WireClientAppConfig | null = null
  let failure: string | undefined
  try {
    const answer = await client.json<WireClientAppConfig | undefined>(
      'GET',
      '/.well-known/configuration',
      { signal },
    )
    if (answer === undefined || answer === null || typeof answer !== 'object') {
      failure = 'it answered /.well-known/configuration with no configuration'
    } else config = answer
  } catch (err) {
    if (signal?.aborted) throw err
    if (!(err instanceof PlgdError)) throw err
    failure = err.net ? err.net.message : err.detail
  }
  return statusOf({ ...facts, config, failure })
}

function authMode(value: string | undefined): LocalAuthMode {
  if (value === 'X509' || value === 'UNINITIALIZED') return value
  return 'PRE_SHARED_KEY'
}

function safeSeconds(ns: string | number | undefined): number {
  try {
    return secondsFromNs(ns)
  } catch {
    return 0
  }
}
