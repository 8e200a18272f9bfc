import type { tokensMethods } from '../../../shared/contract/index.js'
import { AppError } from '../../../shared/errors.js'
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
      // A mistyped jti must not pass for "already revoked": say so, and revoke none of them.
      app.ledger.flush()
      const unknown = ids.filter((id) => app.ledger.get(id) === undefined)
      if (unknown.length > 0) {
        throw new AppError(
          'not_found',
          `no token with jti ${unknown.join(', ')} in the ledger (see \`token list\`); ` +
            'nothing was revoked',
        )
      }
      const revoked = app.ledger.blacklist(ids, app.nowSeconds())
      // Ids already revoked are no act: nothing to record.
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
