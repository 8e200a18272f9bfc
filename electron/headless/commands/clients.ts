import type { ClientWithSecret, MethodInput } from '../../../shared/contract/index.js'
import { TOKEN_TYPES } from '../../../shared/enums.js'
import { AppError } from '../../../shared/errors.js'
import { describeClient, describeClientWithSecret, table } from '../output.js'
import { audienceOption, scopeOption, trustedAuthorityOption, trustedCaOption } from './options.js'
import { methodCommand, option, type OptionValues } from './spec.js'
import { claims, readInput } from './values.js'

const ID = { name: 'ID' } as const

const addOptions = {
  id: option.required('ID', 'the client id: letters, digits and `. _ ~ -`'),
  owner: option.text(
    'OWNER',
    "owner of the client's tokens; required unless the client trusts an authority (the user's token names the owner then)",
  ),
  audience: audienceOption,
  scope: scopeOption,
  lifetime: option.integer('seconds', 'the longest lifetime of its tokens (default 1 h)'),
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

/** Other tools read `clientId` and `clientSecret` at the top level; no secret, no field. */
function flattenSecret(v: ClientWithSecret): Record<string, unknown> {
  return v.clientSecret === undefined
    ? { clientId: v.client.id, client: v.client }
    : { clientId: v.client.id, clientSecret: v.clientSecret, client: v.client }
}

export const clientsCommands = [
  methodCommand({
    words: 'clients add',
    summary: 'register a client; a new secret is printed once',
    details:
      'A client authenticates with a secret (the default), with `--jwks`/`--jwks-uri` (private_key_jwt), or with a user\'s token from `--trusted-authority`. With `--json` it prints `{"clientId","clientSecret","client"}`; `clientSecret` only for a secret client.',
    options: addOptions,
    examples: [
      'clients add --id dps --owner 1 --lifetime 3600',
      'clients add --id ui --trusted-authority https://auth.example.com --trusted-ca auth-ca.pem',
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
      maxLifetimeSeconds: v.lifetime,
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
  methodCommand({
    words: 'clients rotate-secret',
    summary: 'a new secret, printed once',
    details:
      'The previous secret keeps working for `--grace` seconds (default 0: it stops now). With `--json` it prints `{"clientId","clientSecret","client"}`.',
    args: ID,
    options: {
      grace: option.integer('seconds', 'how long the previous secret keeps working (default 0)'),
    },
    examples: ['clients rotate-secret dps --grace 600'],
    method: 'clients.rotateSecret',
    input: (v, [id]) => ({ id, graceSeconds: v.grace ?? 0 }),
    human: describeClientWithSecret,
    json: flattenSecret,
  }),
  methodCommand({
    words: 'clients disable',
    summary: "stop a client's token requests",
    args: ID,
    options: {},
    examples: ['clients disable dps'],
    method: 'clients.setDisabled',
    input: (_v, [id]) => ({ id, disabled: true }),
    human: (client) => `${describeClient(client)}\n`,
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
