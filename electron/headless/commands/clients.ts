import type {
  ClientWithSecret,
  MethodInput,
  TestCredentialsResult,
} from '../../../shared/contract/index.js'
import { TOKEN_TYPES } from '../../../shared/enums.js'
import { AppError } from '../../../shared/errors.js'
import { describeClient, describeClientWithSecret, table } from '../output.js'
import { withSecretExport } from './exports.js'
import { audienceOption, scopeOption, trustedAuthorityOption, trustedCaOption } from './options.js'
import { methodCommand, option, type OptionValues } from './spec.js'
import { claims, durationSeconds, lifetimeSeconds, readInput } from './values.js'

const ID = { name: 'ID' } as const

const addOptions = {
  id: option.required('ID', 'the client id: letters, digits and `. _ ~ -`'),
  owner: option.text(
    'OWNER',
    "owner of the client's tokens; required unless the client trusts an authority (the user's token names the owner then)",
  ),
  audience: audienceOption,
  scope: scopeOption,
  lifetime: option.text(
    'DURATION',
    'the longest lifetime of its tokens: 600, 15m, 2h or 1d (default 1h)',
  ),
  claim: option.list(
    'NAME=VALUE',
    'adds a claim to its tokens; VALUE is read as JSON when it parses, so `--claim tier=2` gives the number 2; otherwise it is a string',
  ),
  typ: option.choice(TOKEN_TYPES, 'the JWT header `typ` of its tokens (default `JWT`)'),
  'allowed-owner': option.list(
    'OWNER',
    'lets it mint for this owner too (coap-gateway mints for many)',
  ),
  'allow-device-id': option.flag('lets DPS ask for the device-id claim'),
  jwks: option.text(
    'FILE',
    'a private_key_jwt client (RFC 7523) with this public JWKS: it signs its own assertions; no secret is made',
  ),
  'jwks-uri': option.text('URL', 'a private_key_jwt client whose public JWKS is at this URL'),
  'trusted-authority': {
    ...trustedAuthorityOption,
    help: "a plgd user-assertion client (plgd's jwtPrivateKey): it exchanges a user's token from this authority; owner, `sub` and device id come from that token",
  },
  'trusted-ca': trustedCaOption('the CA certificate (PEM) of the trusted authorities'),
} as const

type AddValues = OptionValues<typeof addOptions>
type ClientAuthInput = NonNullable<MethodInput<'clients.add'>['auth']>
/** Whatever the file holds: the contract's schema checks it is a public JWKS. */
type JwksInput = Extract<ClientAuthInput, { method: 'private_key_jwt' }>['jwks']

/** --jwks / --jwks-uri: private_key_jwt; --trusted-authority: plgd user assertions; else a secret. */
function clientAuth(v: AddValues): ClientAuthInput {
  const authorities = v['trusted-authority'] ?? []
  const chosen = [v.jwks !== undefined, v['jwks-uri'] !== undefined, authorities.length > 0]
  if (chosen.filter(Boolean).length > 1) {
    throw new AppError('invalid_input', 'choose one of --jwks, --jwks-uri and --trusted-authority')
  }
  if (v.jwks !== undefined) {
    const text = readInput(v.jwks)
    try {
      return { method: 'private_key_jwt', jwks: JSON.parse(text) as JwksInput }
    } catch {
      throw new AppError('invalid_input', `${v.jwks} is not a JSON Web Key Set`)
    }
  }
  if (v['jwks-uri'] !== undefined) return { method: 'private_key_jwt', jwksUri: v['jwks-uri'] }
  if (authorities.length > 0) {
    const caPem = v['trusted-ca'] === undefined ? undefined : readInput(v['trusted-ca'])
    return {
      method: 'user_assertion',
      authorities: authorities.map((authority) => ({ authority, caPem })),
    }
  }
  return { method: 'client_secret' }
}

const updateOptions = {
  owner: option.text('OWNER', "the owner of the client's tokens"),
  'allowed-owner': option.list(
    'OWNER',
    'an owner it may also mint for; the given list replaces the current one',
  ),
  'no-allowed-owners': option.flag('it mints only for its owner'),
  audience: option.list('AUDIENCE', 'an audience; the given list replaces the current one'),
  'no-audiences': option.flag('its tokens carry no `aud`'),
  scope: option.list('SCOPE', 'a scope; the given list replaces the current one'),
  'no-scopes': option.flag('its tokens carry no scope'),
  'max-lifetime': option.text('DURATION', 'the longest lifetime of its tokens: 600, 15m, 2h or 1d'),
  claim: option.list(
    'NAME=VALUE',
    'an extra claim (VALUE read as JSON when it parses); the given claims replace the current ones',
  ),
  'no-claims': option.flag('its tokens carry no extra claims'),
  typ: option.choice(TOKEN_TYPES, 'the JWT header `typ` of its tokens'),
  'allow-device-id': option.flag('lets DPS ask for the device-id claim'),
  'no-allow-device-id': option.flag('DPS may no longer ask for the device-id claim'),
} as const
type UpdateValues = OptionValues<typeof updateOptions>

/** A list option and its `--no-…` twin: absent leaves the list as it is. */
function listChange(
  values: string[] | undefined,
  clear: boolean,
  names: [string, string],
): string[] | undefined {
  if (values !== undefined && clear) {
    throw new AppError('invalid_input', `choose one of --${names[0]} and --${names[1]}`)
  }
  return clear ? [] : values
}

function updateInput(v: UpdateValues, id: string): MethodInput<'clients.update'> {
  if (v['allow-device-id'] && v['no-allow-device-id']) {
    throw new AppError('invalid_input', 'choose one of --allow-device-id and --no-allow-device-id')
  }
  const extraClaims = listChange(v.claim, v['no-claims'], ['claim', 'no-claims'])
  const input: MethodInput<'clients.update'> = {
    id,
    owner: v.owner,
    allowedOwners: listChange(v['allowed-owner'], v['no-allowed-owners'], [
      'allowed-owner',
      'no-allowed-owners',
    ]),
    audiences: listChange(v.audience, v['no-audiences'], ['audience', 'no-audiences']),
    scopes: listChange(v.scope, v['no-scopes'], ['scope', 'no-scopes']),
    maxLifetimeSeconds: lifetimeSeconds('--max-lifetime', v['max-lifetime']),
    extraClaims: extraClaims === undefined ? undefined : claims(extraClaims),
    tokenType: v.typ,
    allowDeviceId: v['allow-device-id'] ? true : v['no-allow-device-id'] ? false : undefined,
  }
  const given = Object.entries(input).filter(([k, value]) => k !== 'id' && value !== undefined)
  if (given.length === 0) {
    throw new AppError(
      'invalid_input',
      'nothing to change: give at least one of --owner, --allowed-owner, --audience, --scope, --max-lifetime, --claim, --typ, --allow-device-id (see `clients update --help`)',
    )
  }
  return input
}

function describeChanges(changes: { field: string; from: unknown; to: unknown }[]): string {
  if (changes.length === 0) return 'nothing changed: the client already had these values\n'
  return changes
    .map((c) => `${c.field}: ${JSON.stringify(c.from)} -> ${JSON.stringify(c.to)}\n`)
    .join('')
}

function describeTest(r: TestCredentialsResult): string {
  const tried = r.attempts
    .map((a) => `  ${a.style}: HTTP ${a.status}${a.error ? ` ${a.error}` : ''}\n`)
    .join('')
  if (r.ok && r.claims) {
    const c = r.claims
    return (
      `accepted by ${r.tokenEndpoint}\n${tried}` +
      `  sub ${c.sub}${c.owner === undefined ? '' : `, owner ${c.owner}`}, ` +
      `aud ${c.audiences.join(' ') || '(none)'}, scope ${c.scope || '(none)'}, ` +
      `expires in ${c.expiresInSeconds} s\n`
    )
  }
  return `refused by ${r.tokenEndpoint}\n${tried}  ${r.explanation ?? ''}\n`
}

/** Other tools read `clientId` and `clientSecret` at the top level; no secret, no field. */
function flattenSecret(v: ClientWithSecret): Record<string, unknown> {
  return v.clientSecret === undefined
    ? { clientId: v.client.id, client: v.client }
    : { clientId: v.client.id, clientSecret: v.clientSecret, client: v.client }
}

export const clientsCommands = [
  withSecretExport({
    words: 'clients add',
    summary: 'register a client; a new secret is printed once',
    details:
      'A client authenticates with a secret (the default), with `--jwks`/`--jwks-uri` (private_key_jwt), or with a user\'s token from `--trusted-authority`. With `--json` it prints `{"clientId","clientSecret","client"}`; `clientSecret` only for a secret client. `--export FORMAT --out FILE` also writes the new secret in that format (0600; docs/exports.md), the one chance to export it.',
    options: addOptions,
    examples: [
      'clients add --id dps --owner 1 --lifetime 1h',
      'clients add --id ui --trusted-authority https://auth.example.com --trusted-ca auth-ca.pem',
      'clients add --id dps --owner 1 --export dps-yaml --out dps.yaml',
    ],
    method: 'clients.add',
    input: (v) => ({
      id: v.id,
      owner: v.owner ?? '',
      allowedOwners: v['allowed-owner'] ?? [],
      allowDeviceId: v['allow-device-id'],
      auth: clientAuth(v),
      audiences: v.audience ?? [],
      scopes: v.scope ?? [],
      maxLifetimeSeconds: lifetimeSeconds('--lifetime', v.lifetime),
      extraClaims: claims(v.claim),
      tokenType: v.typ,
    }),
    human: describeClientWithSecret,
    json: flattenSecret,
  }),
  methodCommand({
    words: 'clients list',
    summary: 'the clients and their policies (never a secret or its hash)',
    options: {},
    examples: ['clients list --json'],
    method: 'clients.list',
    input: () => ({}),
    human: (clients) =>
      table(
        ['ID', 'OWNER', 'LIFETIME', 'STATE'],
        clients.map((c) => [
          c.id,
          c.owner,
          `${c.maxLifetimeSeconds}s`,
          c.disabled ? 'disabled' : 'enabled',
        ]),
        'no clients yet: add one with `clients add --id ID --owner OWNER`',
      ),
  }),
  methodCommand({
    words: 'clients show',
    summary: "one client's policy (never a secret or its hash)",
    args: ID,
    options: {},
    examples: ['clients show dps'],
    method: 'clients.get',
    input: (_v, [id]) => ({ id }),
    human: (client) => `${describeClient(client)}\n`,
  }),
  withSecretExport({
    words: 'clients rotate-secret',
    summary: 'a new secret, printed once',
    details:
      'The previous secret keeps working for `--grace` (a duration: 600, 15m, 1h; default 0: it stops now). With `--json` it prints `{"clientId","clientSecret","client"}`. `--export FORMAT --out FILE` also writes the new secret in that format (0600).',
    args: ID,
    options: {
      grace: option.text(
        'DURATION',
        'how long the previous secret keeps working: 600, 15m, 1h (default 0: it stops now)',
      ),
    },
    examples: [
      'clients rotate-secret dps --grace 600',
      'clients rotate-secret dps --export k8s-secret --out dps-secret.yaml',
    ],
    method: 'clients.rotateSecret',
    input: (v, [id]) => ({ id, graceSeconds: durationSeconds('--grace', v.grace) ?? 0 }),
    human: describeClientWithSecret,
    json: flattenSecret,
  }),
  methodCommand({
    words: 'clients update',
    summary: "change a client's owner, audiences, scopes, lifetime or claims; its secret stays",
    details:
      'Only the options given change; a list option replaces the whole list (`--no-audiences` and the like empty it). Each changed field is one audit entry. The authentication method cannot change: add a new client for that.',
    args: ID,
    options: updateOptions,
    examples: [
      'clients update dps --allowed-owner 2 --allowed-owner 3',
      'clients update dps --max-lifetime 15m --no-allow-device-id',
    ],
    method: 'clients.update',
    input: (v, [id]) => updateInput(v, id),
    human: ({ changes }) => describeChanges(changes),
  }),
  methodCommand({
    words: 'clients end-grace',
    summary: 'stop the previous secrets now; only the newest keeps working',
    details:
      'After `clients rotate-secret --grace`, once every service has the new secret: the old one stops at once instead of at the end of its grace period.',
    args: ID,
    options: {},
    examples: ['clients end-grace dps'],
    method: 'clients.endGrace',
    input: (_v, [id]) => ({ id }),
    human: ({ ended }) =>
      ended === 0
        ? 'no previous secret was still working\n'
        : `${ended} previous secret(s) ended\n`,
  }),
  methodCommand({
    words: 'clients test-credentials',
    summary: 'ask the running token endpoint for a token as a service would, and explain a refusal',
    details:
      'Tries HTTP Basic, then the form body (as Go x/oauth2 does), or a client assertion; prints whether a token was issued and what it says, never the token. A refusal is explained from what the console knows about the id. Failed tries count towards the throttle of 127.0.0.1.',
    options: {
      id: option.required('ID', 'the client id a service would send'),
      secret: option.text('FILE', 'a file holding the client secret (`-` reads standard input)'),
      assertion: option.text('FILE', 'a file holding a client assertion (a JWT)'),
    },
    examples: ['clients test-credentials --id dps --secret dps-secret.txt'],
    method: 'clients.testCredentials',
    input: (v) => {
      if ((v.secret === undefined) === (v.assertion === undefined)) {
        throw new AppError('invalid_input', 'give one of --secret FILE and --assertion FILE')
      }
      return {
        clientId: v.id,
        clientSecret: v.secret === undefined ? undefined : readInput(v.secret).trim(),
        clientAssertion: v.assertion === undefined ? undefined : readInput(v.assertion).trim(),
      }
    },
    human: describeTest,
  }),
  methodCommand({
    words: 'clients disable',
    summary: "stop a client's token requests",
    details:
      'Tokens it was already issued keep working until they expire; `--revoke-tokens` revokes them too (hubs learn of revocations only from a station issuer).',
    args: ID,
    options: { 'revoke-tokens': option.flag('also revoke its tokens that have not expired') },
    examples: ['clients disable dps', 'clients disable dps --revoke-tokens'],
    method: 'clients.setDisabled',
    input: (v, [id]) => ({ id, disabled: true, revokeTokens: v['revoke-tokens'] }),
    human: (client) =>
      `${describeClient(client)}\n` +
      (client.revokedTokens === undefined ? '' : `revoked ${client.revokedTokens} token(s)\n`),
  }),
  methodCommand({
    words: 'clients enable',
    summary: "resume a disabled client's token requests",
    args: ID,
    options: {},
    examples: ['clients enable dps'],
    method: 'clients.setDisabled',
    input: (_v, [id]) => ({ id, disabled: false }),
    human: (client) => `${describeClient(client)}\n`,
  }),
  methodCommand({
    words: 'clients remove',
    summary: 'delete a client',
    args: ID,
    options: {},
    examples: ['clients remove dps'],
    method: 'clients.remove',
    input: (_v, [id]) => ({ id }),
    human: () => 'removed\n',
  }),
]
