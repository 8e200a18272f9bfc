import type {
  AddClientInput,
  ClientView,
  ClientWithSecret,
  DpsSetupResult,
  ParsedInput,
  PlanStep,
} from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import {
  DPS_GROUPS_PATH,
  DPS_HUBS_PATH,
  findGroup,
  findHub,
  stringList,
  writeRecord,
} from './dps-api.js'
import { CLIENT_SECRET_FIELD, recordStep } from './dps-plan.js'
import {
  buildGroupRecord,
  buildHubRecord,
  literalDataUri,
  type DpsHubRecord,
  type Stored,
} from './dps-records.js'
import { setupWarnings } from './dps-warnings.js'
import type { HubContext } from './hub-context.js'
import type { PlgdClient } from './plgd-client.js'

export type DpsSetup = ParsedInput<'dps.setup'>

/** What the setup needs of the app: narrow ports, so it is tested with fakes. */
export interface DpsSetupDeps {
  hub: HubContext
  clients: {
    find(id: string): ClientView | undefined
    add(input: AddClientInput): ClientWithSecret
    rotateSecret(id: string, graceSeconds: number): ClientWithSecret
  }
  /** A short-lived bearer of this client (its owner: the enrollment group's), in the ledger. */
  mintBearer(clientId: string): Promise<string>
  issuer: { url: string; caPem: string | null; ownerClaim: string; deviceIdClaim: string }
  audit(action: string, subject: string, details: Record<string, unknown>): void
}

/** Shown where a secret would be: the plan never holds one. */
const SECRET_PLACEHOLDER = literalDataUri('****')

/**
 * DPS onboarding's setup (interop §3): the DPS client at our issuer, the DPS hub record whose
 * provider is our issuer, the enrollment group. It reads DPS with a bearer of the DPS client
 * (DPS scopes every record by the bearer's owner), plans per field, and applies unless dry.
 * A fresh secret goes from the registry straight into the hub record: never stored, logged or
 * returned.
 */
export async function dpsSetup(deps: DpsSetupDeps, input: DpsSetup): Promise<DpsSetupResult> {
  const { profile } = deps.hub
  requireSameOwnerClaim(profile.name, profile.ownerClaim, deps.issuer.ownerClaim)
  const existing = deps.clients.find(input.clientId)
  const owner = clientOwner(existing, input, deps.hub.owner)
  const allowDeviceId = existing?.allowDeviceId ?? profile.deviceIdClaim !== ''
  const warnings = setupWarnings({ profile, issuer: deps.issuer, client: existing, owner })

  let created: ClientWithSecret | undefined
  if (!existing && !input.dryRun) {
    created = deps.clients.add({ id: input.clientId, owner, allowDeviceId })
  }
  const reader = await dpsReader(deps, input.clientId, existing ?? created?.client, owner)
  if (!reader) {
    warnings.push(
      `DPS records of owner ${owner} cannot be read before client ${input.clientId} exists: the plan assumes DPS has none`,
    )
  }
  const [hubRecord, groupRecord] = reader
    ? await Promise.all([findHub(reader, profile.hubId), findGroup(reader, input.group)])
    : [undefined, undefined]

  const clientIsNew = !existing
  const keptSecret = keptSecretUri(input, hubRecord, clientIsNew)
  const desiredHub = buildHubRecord({
    profile,
    providerName: input.providerName,
    issuer: deps.issuer.url,
    issuerCaPem: deps.issuer.caPem,
    clientId: input.clientId,
    deviceIdClaim: allowDeviceId ? profile.deviceIdClaim : '',
    clientSecretUri: keptSecret ?? SECRET_PLACEHOLDER,
  })
  const hubStep = recordStep('dps-hub', profile.name, desiredHub, hubRecord, !keptSecret)
  const desiredGroup = buildGroupRecord({
    name: input.group,
    hubId: profile.hubId,
    existingHubIds: stringList(groupRecord?.hubIds),
    certificateChainPem: input.certificateChainPem,
    preSharedKey: input.preSharedKey,
  })
  const groupStep = recordStep('enrollment-group', input.group, desiredGroup, groupRecord)
  const rotate = !clientIsNew && hubStep.action !== 'unchanged' && !keptSecret
  const plan = [clientStep(input, owner, allowDeviceId, clientIsNew, rotate), hubStep, groupStep]

  if (input.dryRun || !reader) {
    return {
      plan,
      applied: false,
      enrollmentGroupId: groupStep.id,
      dpsHubId: hubStep.id,
      warnings,
    }
  }
  const secret = created?.clientSecret ?? (rotate ? rotateFor(deps, input) : undefined)
  if (secret !== undefined) {
    desiredHub.authorization.provider.clientSecret = literalDataUri(secret)
  }
  const dpsHubId = await writeRecord(reader, DPS_HUBS_PATH, hubStep, desiredHub)
  const enrollmentGroupId = await writeRecord(reader, DPS_GROUPS_PATH, groupStep, desiredGroup)
  deps.audit('dps.setup', input.clientId, {
    hub: profile.name,
    dpsHubId,
    enrollmentGroupId,
    clientCreated: clientIsNew,
    rotated: rotate,
    graceSeconds: rotate ? input.graceSeconds : 0,
    hubAction: hubStep.action,
    groupAction: groupStep.action,
  })
  return { plan, applied: true, enrollmentGroupId, dpsHubId, warnings }
}

/** DPS checks the owner claim by the hub's name for it: our tokens must use that name. */
function requireSameOwnerClaim(hub: string, hubClaim: string, ourClaim: string): void {
  if (hubClaim === ourClaim) return
  throw new AppError(
    'policy_violation',
    `the hub's owner claim is ${hubClaim} but this issuer puts the owner in ${ourClaim}: DPS would find no owner in its tokens. Set the issuer's claim with \`settings set --owner-claim ${hubClaim}\` (or, if the hub's published claim is wrong, override it with \`hubs update ${hub} --owner-claim CLAIM\`)`,
  )
}

function clientOwner(client: ClientView | undefined, input: DpsSetup, hubOwner: string): string {
  if (!client) return input.owner ?? hubOwner
  if (client.auth.method !== 'client_secret') {
    throw new AppError(
      'policy_violation',
      `client ${client.id} authenticates with ${client.auth.method.replace(/_/g, ' ')}: DPS sends a client secret, so choose (or create) a client with a secret`,
    )
  }
  if (client.disabled) {
    throw new AppError(
      'policy_violation',
      `client ${client.id} is disabled: enable it first (\`clients enable ${client.id}\`)`,
    )
  }
  if (input.owner !== undefined && input.owner !== client.owner) {
    throw new AppError(
      'invalid_input',
      `client ${client.id}'s owner is ${client.owner}, not ${input.owner}: the enrollment group's owner is the DPS client's owner, so choose another client id or leave the owner out`,
    )
  }
  return client.owner
}

/**
 * DPS is read as the group owner: with the DPS client's bearer, or (before that client
 * exists, on a dry run) with the hub profile's when it has the same owner.
 */
async function dpsReader(
  deps: DpsSetupDeps,
  clientId: string,
  client: ClientView | undefined,
  owner: string,
): Promise<PlgdClient | undefined> {
  if (client) {
    const token = await deps.mintBearer(clientId)
    return deps.hub.client('dps', () => Promise.resolve(token))
  }
  return owner === deps.hub.owner ? deps.hub.client('dps') : undefined
}

/** --keep-secret: the secret DPS holds, sent back as it is. Not possible for a new client. */
function keptSecretUri(
  input: DpsSetup,
  hub: Stored<DpsHubRecord> | undefined,
  clientIsNew: boolean,
): string | undefined {
  if (!input.keepSecret || !hub || clientIsNew) return undefined
  const held = hub.authorization?.provider?.clientSecret
  if (typeof held === 'string' && held !== '') return held
  throw new AppError(
    'invalid_input',
    `DPS did not return the secret its hub record holds (${CLIENT_SECRET_FIELD}), so it cannot be kept: run the setup without --keep-secret to rotate it`,
  )
}

function clientStep(
  input: DpsSetup,
  owner: string,
  allowDeviceId: boolean,
  isNew: boolean,
  rotate: boolean,
): PlanStep {
  const base = {
    target: 'client' as const,
    id: isNew ? null : input.clientId,
    name: input.clientId,
  }
  if (isNew) {
    return {
      ...base,
      action: 'create',
      changes: [
        { field: 'owner', from: null, to: owner },
        { field: 'allowDeviceId', from: null, to: allowDeviceId },
        { field: 'secret', from: null, to: '**** (sent to DPS only)' },
      ],
    }
  }
  if (!rotate) return { ...base, action: 'unchanged', changes: [] }
  return {
    ...base,
    action: 'rotate-secret',
    changes: [
      {
        field: 'secret',
        from: `**** (keeps working ${input.graceSeconds} s)`,
        to: '**** (sent to DPS only)',
      },
    ],
  }
}

function rotateFor(deps: DpsSetupDeps, input: DpsSetup): string {
  const rotated = deps.clients.rotateSecret(input.clientId, input.graceSeconds)
  if (rotated.clientSecret === undefined) {
    throw new AppError('internal', `rotating client ${input.clientId} gave no secret`)
  }
  return rotated.clientSecret
}
