import type {
  HubAuthInput,
  HubCheckResult,
  HubOverrides,
  HubView,
} from '../../../shared/contract/index.js'
import { AppError } from '../../../shared/errors.js'
import { isoTime, table } from '../output.js'
import { customCommand, methodCommand, option, type OptionValues } from './spec.js'
import { readInput } from './values.js'

const NAME = { name: 'NAME' } as const

/** What discovery gave can be overridden; `hubs add` and `hubs update` take the same options. */
const overrideOptions = {
  'dps-url': option.text(
    'URL',
    "DPS's API address, when the hub publishes none (ui.deviceProvisioningService) or the wrong one",
  ),
  'snippet-service-url': option.text(
    'URL',
    "snippet-service's address, when the hub publishes none (ui.snippetService) or the wrong one",
  ),
  'dps-endpoint': option.text(
    'coaps+tcp://HOST:PORT',
    'where devices reach DPS (default: the DPS API host on port 15684)',
  ),
  'owner-claim': option.text('CLAIM', "the hub's owner claim, instead of its jwtOwnerClaim"),
  'device-id-claim': option.text(
    'CLAIM',
    "the hub's device-id claim, instead of its jwtDeviceIdClaim",
  ),
} as const

const authOptions = {
  client: option.text(
    'CLIENT_ID',
    'a client of this issuer: the console mints 5-minute bearers for its owner (recorded in the ledger)',
  ),
  'token-file': option.text(
    'FILE',
    'a token for the hub (`-` reads stdin); stored sealed, never shown again',
  ),
} as const

type OverrideValues = OptionValues<typeof overrideOptions>
type AuthValues = OptionValues<typeof authOptions>

function overrides(v: OverrideValues): HubOverrides {
  const out: HubOverrides = {}
  if (v['dps-url'] !== undefined) out.dpsUrl = v['dps-url']
  if (v['snippet-service-url'] !== undefined) out.snippetServiceUrl = v['snippet-service-url']
  if (v['dps-endpoint'] !== undefined) out.dpsDeviceEndpoint = v['dps-endpoint']
  if (v['owner-claim'] !== undefined) out.ownerClaim = v['owner-claim']
  if (v['device-id-claim'] !== undefined) out.deviceIdClaim = v['device-id-claim']
  return out
}

function auth(v: AuthValues): HubAuthInput | undefined {
  if (v.client !== undefined && v['token-file'] !== undefined)
    throw new AppError('invalid_input', 'choose one of --client and --token-file')
  if (v.client !== undefined) return { kind: 'client', clientId: v.client }
  if (v['token-file'] !== undefined)
    return { kind: 'token', token: readInput(v['token-file']).trim() }
  return undefined
}

export function describeHub(h: HubView): string {
  const lines: [string, string][] = [
    ['hub', h.name],
    ['url', h.url],
    ['hub id', h.hubId || '(not published)'],
    ['owner claim', h.ownerClaim],
    ['device id claim', h.deviceIdClaim || '(none)'],
    ['coap-gateway', h.coapGateway || '(not published)'],
    ['DPS API', h.dpsUrl ?? '(not published: set --dps-url)'],
    ['DPS for devices', h.dpsDeviceEndpoint ?? '(needs a DPS address)'],
    ['snippet-service', h.snippetServiceUrl ?? '(not published: set --snippet-service-url)'],
    ['authority', h.authority || '(not published)'],
    ['TLS CA', h.caPem ? 'the file given with --ca' : 'the system pool'],
    [
      'console auth',
      h.auth.kind === 'client'
        ? `client ${h.auth.clientId} (minted bearers)`
        : `pasted token${h.auth.expiresAt ? `, expires ${isoTime(h.auth.expiresAt)}` : ''}`,
    ],
    ['overrides', Object.keys(h.overrides).join(', ') || '(none)'],
    ['discovered', isoTime(h.discoveredAt)],
  ]
  return `${lines.map(([k, v]) => `${k.padEnd(16)} ${v}`).join('\n')}\n`
}

export function describeCheck(r: HubCheckResult): string {
  const lines = r.checks.flatMap((c) => [
    `${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`,
    ...(c.fix ? [`    fix: ${c.fix}`] : []),
    ...(c.snippet
      ? [
          '',
          ...c.snippet
            .trimEnd()
            .split('\n')
            .map((l) => `    ${l}`),
          '',
        ]
      : []),
  ])
  lines.push(r.ok ? 'the hub is reachable and trusts this issuer' : 'the hub check failed')
  return `${lines.join('\n')}\n`
}

const hubJson = (hub: HubView): unknown => ({ hub })

export const hubsCommands = [
  methodCommand({
    words: 'hubs add',
    summary: 'add a plgd hub by its http-gateway URL; the rest is read from its hub-configuration',
    details:
      'Reads `GET <url>/.well-known/hub-configuration` (hub id, owner and device-id claims, coap-gateway, DPS and snippet-service addresses); the options override what it publishes. Authenticate with `--client` (a client of this issuer whose owner the hub knows) or `--token-file`. With `--json` it prints `{"hub":{…}}`.',
    options: {
      name: option.required('NAME', 'the profile name that `--hub NAME` refers to'),
      url: option.required(
        'HTTP_GATEWAY_URL',
        "the hub's http-gateway, e.g. https://api.hub.example",
      ),
      ca: option.text('FILE', "the CA (PEM) that signed the hub's TLS certificate"),
      ...authOptions,
      ...overrideOptions,
    },
    examples: [
      'hubs add --name lab --url https://api.lab.example --ca lab-ca.pem --client console',
      'hubs add --name prod --url https://api.hub.example --token-file token.jwt --dps-url https://dps.hub.example',
    ],
    method: 'hubs.add',
    input: (v) => {
      const chosen = auth(v)
      if (!chosen)
        throw new AppError(
          'invalid_input',
          'say how the console authenticates: --client CLIENT_ID or --token-file FILE',
        )
      return {
        name: v.name,
        url: v.url,
        ...(v.ca !== undefined ? { caPem: readInput(v.ca) } : {}),
        auth: chosen,
        overrides: overrides(v),
      }
    },
    human: describeHub,
    json: hubJson,
  }),
  methodCommand({
    words: 'hubs list',
    summary: 'the hub profiles',
    options: {},
    examples: ['hubs list --json'],
    method: 'hubs.list',
    input: () => ({}),
    human: (hubs) =>
      table(
        ['NAME', 'URL', 'HUB ID', 'OWNER CLAIM', 'AUTH'],
        hubs.map((h) => [
          h.name,
          h.url,
          h.hubId,
          h.ownerClaim,
          h.auth.kind === 'client' ? `client ${h.auth.clientId}` : 'token',
        ]),
        'no hubs yet: add one with `hubs add --name NAME --url URL --client CLIENT_ID`',
      ),
    json: (hubs) => ({ hubs }),
  }),
  methodCommand({
    words: 'hubs show',
    summary: 'one hub profile: discovered settings and overrides (never a token)',
    args: NAME,
    options: {},
    examples: ['hubs show lab --json'],
    method: 'hubs.get',
    input: (_v, [name]) => ({ name }),
    human: describeHub,
    json: hubJson,
  }),
  customCommand({
    words: 'hubs update',
    summary: "change a hub profile's CA, authentication or overrides",
    details:
      'Overrides given here replace those of the same name; the others stay. `--rediscover` reads the hub-configuration again (a new CA does too). With `--json` it prints `{"hub":{…}}`.',
    args: NAME,
    options: {
      ca: option.text('FILE', "the CA (PEM) that signed the hub's TLS certificate"),
      ...authOptions,
      ...overrideOptions,
      rediscover: option.flag('read the hub-configuration again'),
    },
    examples: [
      'hubs update lab --dps-url https://dps.lab.example',
      'hubs update lab --ca new-ca.pem',
    ],
    async run(ctx, v, [name]) {
      const current = await ctx.call('hubs.get', { name })
      const changed = overrides(v)
      const hub = await ctx.call('hubs.update', {
        name,
        ...(v.ca !== undefined ? { caPem: readInput(v.ca) } : {}),
        ...(auth(v) ? { auth: auth(v) } : {}),
        ...(Object.keys(changed).length ? { overrides: { ...current.overrides, ...changed } } : {}),
        rediscover: v.rediscover,
      })
      ctx.io.out(ctx.globals.json ? `${JSON.stringify({ hub })}\n` : describeHub(hub))
      return 0
    },
  }),
  methodCommand({
    words: 'hubs remove',
    summary: 'forget a hub profile (nothing changes at the hub)',
    args: NAME,
    options: {},
    examples: ['hubs remove lab'],
    method: 'hubs.remove',
    input: (_v, [name]) => ({ name }),
    human: () => 'hub removed\n',
  }),
  methodCommand({
    words: 'hubs check',
    summary: 'check DNS, TCP, TLS, discovery, auth, owner, clock, DPS and snippet-service',
    details:
      'Each step says what failed and the fix: which `--ca` file, which hub setting (a 401 prints the `authorization.endpoints` YAML the hub admin adds), which owner claim, how far the clocks differ. Each step times out after 10 s. With `--json` it prints `{"ok","checks":[{"name","ok","detail","fix"?,"snippet"?}]}`; the exit code is 1 when a step fails.',
    args: NAME,
    options: {},
    examples: ['hubs check lab', 'hubs check lab --json'],
    method: 'hubs.check',
    input: (_v, [name]) => ({ name }),
    human: describeCheck,
    exitCode: (r) => (r.ok ? 0 : 1),
  }),
]
