import type { setupMethods } from '../../../shared/contract/index.js'
import { announceKeyRotation } from './keys.js'
import type { DomainTable, MethodContext } from './method-table.js'
import { updateIssuerSettings } from './settings.js'
import { setupChoices } from './setup-choices.js'
import { statusView } from './status.js'

export function implementSetup(ctx: MethodContext): DomainTable<typeof setupMethods> {
  const { app, audit } = ctx
  return {
    'setup.complete': async (input) => {
      const choices = setupChoices(input, {
        activeAlg: app.keys.active().alg,
        issuedTokens: app.ledger.stats(app.nowSeconds()).tokens,
      })
      updateIssuerSettings(ctx, choices.settings)
      if (choices.key !== 'keep') {
        if (choices.key === 'rotate') await app.keys.rotate(input.alg)
        else await app.keys.replaceUnused(input.alg)
        announceKeyRotation(app)
      }
      app.settings.set('setupCompleted', true)
      audit('setup.completed', 'issuer', { alg: input.alg, exposeOnLan: input.exposeOnLan })
      return statusView(app)
    },
  }
}
