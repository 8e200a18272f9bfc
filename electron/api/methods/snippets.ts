import type { snippetsMethods } from '../../../shared/contract/index.js'
import { configsApplyHandler } from '../../plgd/configs-apply.js'
import {
  createCondition,
  createConfiguration,
  listConditions,
  listConfigurations,
  type ConditionTokens,
} from '../../plgd/snippets.js'
import type { DomainTable, MethodContext } from './method-table.js'

export function implementSnippets({
  app,
  actor,
  audit,
}: MethodContext): DomainTable<typeof snippetsMethods> {
  // Registered with every dispatcher, before any call can start or resume an apply.
  app.jobs.register(configsApplyHandler(app.hubs))
  // Condition tokens are minted as the local administrator, under the client's policy, and
  // recorded in the ledger and the audit log like any token the console mints.
  const tokens: ConditionTokens = {
    issue: async ({ clientId, lifetimeSeconds, name, owner }) => {
      const issued = await app.tokens.issueAsAdmin({
        clientId,
        lifetimeSeconds,
        name,
        owner,
        audiences: [],
        scopes: [],
      })
      audit('token.issued_by_admin', issued.jti, { clientId, expiresAt: issued.expiresAt, name })
      return issued
    },
    revoke: (jti) => {
      const revoked = app.ledger.blacklist([jti], app.nowSeconds())
      if (revoked.length > 0) app.recordRevocation(actor, revoked, { count: revoked.length })
    },
    known: (jti) => app.ledger.get(jti) !== undefined,
  }
  return {
    'configs.create': async (input) => {
      const created = await createConfiguration(app.hubs.open(input.hub), input)
      audit('configuration.created', created.configuration.id, {
        hub: input.hub,
        resources: input.resources.length,
      })
      return created
    },
    'configs.list': ({ hub }) => listConfigurations(app.hubs.open(hub)),
    'configs.apply': (input) => {
      // An unknown profile, or one without a snippet-service, is refused before any job.
      app.hubs.open(input.hub).client('snippets')
      const started = app.jobs.start('configs.apply', input.hub, input, input.concurrency)
      audit('configuration.apply_started', input.configId, {
        hub: input.hub,
        jobId: started.jobId,
        devices: input.deviceIds.length,
      })
      return started
    },
    'conditions.create': async (input) => {
      const created = await createCondition(app.hubs.open(input.hub), tokens, input)
      audit('condition.created', created.condition.id, {
        hub: input.hub,
        configurationId: input.configId,
        clientId: input.clientId,
        tokenJti: created.tokenJti,
      })
      return created
    },
    'conditions.list': ({ hub }) => listConditions(app.hubs.open(hub), tokens),
  }
}
