import { AppError } from '../../../shared/errors.js'
import type { App } from '../../app.js'
import type { ClientAppDirectory } from '../../local/client-app-context.js'

/**
 * The client-applications as every local use case opens them: the `clientApp` settings, the
 * sealer for PSK keys, and in X509 mode bearers minted from the initialising client (ledger and
 * audit as `actor`). Not built yet: filled by the local domain's implementation (issue 14).
 */
export function clientAppsFor(_app: App, _actor: string): ClientAppDirectory {
  throw new AppError('internal', 'not built yet')
}
