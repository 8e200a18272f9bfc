import type { StatusView } from '../../../../shared/contract/index'

/**
 * Station mode (`serve --station`) advertises plgd's tokens endpoint, so hubs ask it whether a
 * token is blacklisted. In laptop mode hubs validate tokens offline against the JWKS and never
 * learn of a revocation: every text about revoking must say which of the two is true.
 */
export type IssuerMode = 'station' | 'laptop'

export function issuerMode(status: Pick<StatusView, 'issuer'>): IssuerMode {
  return status.issuer.station ? 'station' : 'laptop'
}

export const MODE_DESCRIPTIONS: Record<IssuerMode, string> = {
  station: 'station mode: hubs check revocations with this issuer',
  laptop: 'laptop mode: hubs validate tokens offline and never see a revocation',
}

/** What revoking does at the hubs, in the confirm dialog. */
export function revocationEffect(mode: IssuerMode): string {
  return mode === 'station'
    ? 'Revoked tokens are blacklisted: hubs that check this station refuse them from now on. This cannot be undone.'
    : 'The ledger marks them revoked, but hubs will still accept them until they expire: ' +
        'this issuer runs in laptop mode, and hubs only see revocations from a station ' +
        '(serve --station). This cannot be undone.'
}

/** The Inspector's verdict for a token revoked here while hubs cannot know it. */
export const LAPTOP_REVOKED_VERDICT =
  'Revoked here, but a hub would still accept it until it expires (revocation is only seen in station mode)'
