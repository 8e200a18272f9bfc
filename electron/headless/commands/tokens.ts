import { TOKEN_STATUS_FILTERS } from '../../../shared/enums.js'
import { isoTime, table } from '../output.js'
import { audienceOption, limitOption, offsetOption, scopeOption } from './options.js'
import { methodCommand, option } from './spec.js'
import { lifetimeSeconds } from './values.js'

export const tokensCommands = [
  methodCommand({
    words: 'token issue',
    summary: "mint a token as the local administrator, under the client's policy",
    details:
      'No client secret is needed; the token is recorded in the ledger. It prints the token, then its expiry and jti; with `--json`: `{"accessToken","tokenType","expiresIn","expiresAt","scope","jti"}`.',
    options: {
      client: option.required('ID', 'the client whose policy applies'),
      audience: audienceOption,
      scope: scopeOption,
      lifetime: option.text(
        'DURATION',
        "lifetime: 600, 15m, 2h or 1d; default the client's maximum",
      ),
      expiration: option.integer('unix time', 'absolute expiry instead of `--lifetime`'),
      name: option.text('NAME', 'the token name (its `name` claim)'),
      'device-id': option.text(
        'ID',
        'sets the device-id claim; only for `--allow-device-id` clients',
      ),
      owner: option.text('OWNER', "mint for another of the client's `--allowed-owner` owners"),
    },
    examples: ['token issue --client dps --audience https://api.example --lifetime 15m'],
    method: 'tokens.issue',
    input: (v) => ({
      deviceId: v['device-id'],
      owner: v.owner,
      clientId: v.client,
      audiences: v.audience ?? [],
      scopes: v.scope ?? [],
      lifetimeSeconds: lifetimeSeconds('--lifetime', v.lifetime),
      expiration: v.expiration,
      name: v.name,
    }),
    human: (t) =>
      `${t.accessToken}\n(expires in ${t.expiresIn} s, at ${isoTime(t.expiresAt)}; jti ${t.jti})\n`,
  }),
  methodCommand({
    words: 'token list',
    summary: 'the ledger of issued tokens, newest first',
    options: {
      client: option.text('ID', "only this client's tokens"),
      status: option.choice(TOKEN_STATUS_FILTERS, 'only tokens in this state (default `all`)'),
      search: option.text('TEXT', 'matched against id, name, client and owner'),
      limit: limitOption,
      offset: offsetOption,
    },
    examples: ['token list --client dps --status active'],
    method: 'tokens.list',
    input: (v) => ({
      clientId: v.client,
      status: v.status,
      search: v.search,
      limit: v.limit,
      offset: v.offset,
    }),
    human: (page) =>
      table(
        ['JTI', 'NAME', 'CLIENT', 'OWNER', 'EXPIRES', 'STATE'],
        page.items.map((t) => [
          t.id,
          t.name || '-',
          t.clientId,
          t.owner,
          isoTime(t.expiration),
          t.blacklisted ? 'revoked' : t.expiration * 1000 < Date.now() ? 'expired' : 'active',
        ]),
        'no tokens',
      ) + `(${page.items.length} of ${page.total})\n`,
  }),
  methodCommand({
    words: 'token revoke',
    summary: "revoke tokens (one-way); a station's hubs reject them within their cache time (30 s)",
    details:
      'A jti the ledger does not know is an error (exit 1) naming it, and none of the given tokens is revoked; one already revoked counts as 0.',
    args: { name: 'JTI', many: true },
    options: {},
    examples: ['token revoke 0b7c5e5e-4f4c-4d5e-9a53-8d1f0f1f2a3b'],
    method: 'tokens.revoke',
    input: (_v, ids) => ({ ids }),
    human: (r) => `revoked ${r.blacklistedCount} token(s)\n`,
  }),
]
