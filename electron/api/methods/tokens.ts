import type { tokensMethods } from '../../../shared/contract/index.js'
import { inspectToken } from '../../oauth/token-inspector.js'
import type { DomainTable, MethodContext } from './method-table.js'

export function implementTokens({
  app,
  actor,
  audit,
}: MethodContext): DomainTable<typeof tokensMethods> {
  return {
    'tokens.issue': async (input) => {
      const issued = await app.tokens.issueAsAdmin(input)
      audit('token.issued_by_admin', issued.jti, {
        clientId: input.clientId,
        expiresAt: issued.expiresAt,
      })
      return issued
    },
    'tokens.list': (input) => app.ledger.page(input, app.nowSeconds()),
    'tokens.revoke': ({ ids }) => {
      const revoked = app.ledger.blacklist(ids, app.nowSeconds())
      // Ids already revoked or unknown are no act: nothing to record.
      if (revoked.length > 0) app.recordRevocation(actor, revoked, { count: revoked.length })
      return { blacklistedCount: revoked.length }
    },
    'tokens.inspect': ({ token, authority }) =>
      inspectToken(
        {
          keys: app.keys,
          ledger: app.ledger,
          authorities: app.authorities,
          issuer: () => app.urls().issuer,
          ownerClaim: () => app.issuerSettings().ownerClaim,
          station: () => app.station(),
          nowSeconds: app.nowSeconds,
        },
        token,
        authority,
      ),
  }
}
