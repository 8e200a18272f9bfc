import type { IssuerSettingsView, ParsedInput } from '../../../shared/contract/index.js'
import type { KeyAlgorithm } from '../../../shared/enums.js'
import { AppError } from '../../../shared/errors.js'

/**
 * What to do with the signing key when setup picks an algorithm:
 * - `keep`: the active key already uses it;
 * - `rotate`: tokens were issued, so the old key stays published until they expire;
 * - `replace`: nothing was signed yet, so the unused key is swapped outright.
 */
export type SetupKeyChoice = 'keep' | 'rotate' | 'replace'

export interface SetupChoices {
  /** The issuer settings setup writes, in this key order (the audit entry lists the keys). */
  settings: Partial<IssuerSettingsView>
  key: SetupKeyChoice
}

/**
 * The first-run wizard's answers as settings and a key decision. An issuer exposed on the LAN
 * needs the host name hubs reach it by.
 */
export function setupChoices(
  { alg, publicHost, port, exposeOnLan }: ParsedInput<'setup.complete'>,
  current: { activeAlg: KeyAlgorithm; issuedTokens: number },
): SetupChoices {
  if (exposeOnLan && !publicHost) {
    throw new AppError(
      'invalid_input',
      'exposing the issuer on the LAN needs the host name hubs use',
    )
  }
  return {
    settings: {
      publicHost,
      ...(port === undefined ? {} : { port }),
      listenHost: exposeOnLan ? '0.0.0.0' : '127.0.0.1',
    },
    key: current.activeAlg === alg ? 'keep' : current.issuedTokens > 0 ? 'rotate' : 'replace',
  }
}
