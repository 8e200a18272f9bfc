import type { ConditionView, ConfigurationView, ParsedInput } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import type { HubContext } from './hub-context.js'
import { encodeResource, toConfigurationView, toNumber } from './snippet-content.js'
import { snippetPath } from './snippet-paths.js'

/**
 * snippet-service configurations and conditions (interop §4.2): configurations edited as href +
 * JSON; conditions whose apiAccessToken our issuer mints under the client's policy.
 */

/** What conditions need of the issuer: mint for a client, revoke, and know our own jtis. */
export interface ConditionTokens {
  issue(input: {
    clientId: string
    lifetimeSeconds: number
    name: string
    owner: string
  }): Promise<{ accessToken: string; jti: string; expiresAt: number }>
  revoke(jti: string): void
  /** Whether the ledger holds this jti (the token is one of ours). */
  known(jti: string): boolean
}

export const CONDITION_TOKEN_WARNING =
  'the hub stores a condition token in clear and returns it in GET conditions: anyone who can read the conditions can use it until it expires or is revoked in the ledger'

export async function createConfiguration(
  hub: HubContext,
  input: ParsedInput<'configs.create'>,
): Promise<{ configuration: { id: string; version: number } }> {
  const client = hub.client('snippets')
  const created = await client.json<{ id?: string; version?: string | number }>(
    'POST',
    snippetPath(client, '/configurations'),
    { body: { name: input.name, resources: input.resources.map(encodeResource) } },
  )
  if (!created.id) throw new AppError('internal', 'the snippet-service answered without an id')
  return { configuration: { id: created.id, version: toNumber(created.version) } }
}

export async function listConfigurations(hub: HubContext): Promise<ConfigurationView[]> {
  const client = hub.client('snippets')
  const out: ConfigurationView[] = []
  for await (const wire of client.stream<Parameters<typeof toConfigurationView>[0]>(
    snippetPath(client, '/configurations'),
  ))
    out.push(toConfigurationView(wire))
  return out
}

interface WireCondition {
  id?: string
  version?: string | number
  name?: string
  enabled?: boolean
  configurationId?: string
  deviceIdFilter?: string[]
  resourceTypeFilter?: string[]
  resourceHrefFilter?: string[]
  jqExpressionFilter?: string
  apiAccessToken?: string
}

/** The jti and exp of a JWT, read without verifying: only to match it with our ledger. */
export function peekJwt(token: string | undefined): { jti: string | null; exp: number | null } {
  const payload = token?.split('.')[1]
  if (!payload) return { jti: null, exp: null }
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      jti?: unknown
      exp?: unknown
    }
    return {
      jti: typeof claims.jti === 'string' ? claims.jti : null,
      exp: typeof claims.exp === 'number' ? claims.exp : null,
    }
  } catch {
    return { jti: null, exp: null }
  }
}

/** A condition without its token: the jti when the token is ours, never the token. */
export function toConditionView(
  wire: WireCondition,
  known: (jti: string) => boolean,
): ConditionView {
  const { jti, exp } = peekJwt(wire.apiAccessToken)
  const ours = jti !== null && known(jti)
  return {
    id: wire.id ?? '',
    version: toNumber(wire.version),
    name: wire.name ?? '',
    enabled: wire.enabled ?? false,
    configurationId: wire.configurationId ?? '',
    deviceIds: wire.deviceIdFilter ?? [],
    resourceTypes: wire.resourceTypeFilter ?? [],
    hrefs: wire.resourceHrefFilter ?? [],
    jq: wire.jqExpressionFilter ?? '',
    tokenJti: ours ? jti : null,
    tokenExpiresAt: ours ? exp : null,
  }
}

export async function createCondition(
  hub: HubContext,
  tokens: ConditionTokens,
  input: ParsedInput<'conditions.create'>,
): Promise<{ condition: ConditionView; tokenJti: string }> {
  const client = hub.client('snippets')
  // The token's owner must be the devices' owner, which is the hub bearer's owner: a client
  // that cannot mint for it is refused here rather than by the hub when the condition fires.
  let minted: Awaited<ReturnType<ConditionTokens['issue']>>
  try {
    minted = await tokens.issue({
      clientId: input.clientId,
      lifetimeSeconds: input.tokenLifetimeSeconds,
      name: `condition ${input.name}`,
      owner: hub.owner,
    })
  } catch (err) {
    if (err instanceof AppError && err.code === 'policy_violation') {
      throw new AppError(
        'policy_violation',
        `client ${input.clientId} cannot mint the condition token: ${err.message}. The token must carry owner ${hub.owner} (hub ${hub.profile.name}'s owner) and a lifetime within the client's maximum (\`clients show ${input.clientId}\`).`,
        { cause: err },
      )
    }
    throw err
  }
  let created: WireCondition
  try {
    created = await client.json<WireCondition>('POST', snippetPath(client, '/conditions'), {
      body: {
        name: input.name,
        enabled: input.enabled,
        configurationId: input.configId,
        deviceIdFilter: input.deviceIds,
        resourceTypeFilter: input.resourceTypes,
        resourceHrefFilter: input.hrefs,
        ...(input.jq ? { jqExpressionFilter: input.jq } : {}),
        apiAccessToken: minted.accessToken,
      },
    })
  } catch (err) {
    // A token no condition holds must not stay valid.
    tokens.revoke(minted.jti)
    throw err
  }
  return {
    condition: toConditionView(created, (jti) => jti === minted.jti || tokens.known(jti)),
    tokenJti: minted.jti,
  }
}

export async function listConditions(
  hub: HubContext,
  tokens: Pick<ConditionTokens, 'known'>,
): Promise<ConditionView[]> {
  const client = hub.client('snippets')
  const out: ConditionView[] = []
  for await (const wire of client.stream<WireCondition>(snippetPath(client, '/conditions')))
    out.push(toConditionView(wire, (jti) => tokens.known(jti)))
  return out
}
