/**
 * The structure of plgd's Helm chart values (`charts/plgd-hub/values.yaml` and the templates that
 * read them, plgd interop notes §2.1, §7), as far as the console's exports touch it: the keys that
 * exist and the type of each. `checkChartValues` reports every unknown key (a misspelt key is
 * silently ignored by Helm, so the hub would run without it) and every wrong type.
 *
 * Only the parts the console writes are described; a subtree marked `open` accepts any keys
 * (maps whose keys are the user's, e.g. `insertTokenClaims`).
 */

export type ChartNode =
  | { kind: 'string' }
  | { kind: 'boolean' }
  | { kind: 'number' }
  /** A Go duration written as a string (`10s`, `0s`). */
  | { kind: 'duration' }
  /** A string or a list of strings (`caPool` reads both). */
  | { kind: 'stringOrList' }
  | { kind: 'list'; of: ChartNode }
  | { kind: 'object'; keys: Record<string, ChartNode> }
  /** A map whose keys are the user's own (`insertTokenClaims`). */
  | { kind: 'open' }

const str: ChartNode = { kind: 'string' }
const bool: ChartNode = { kind: 'boolean' }
const num: ChartNode = { kind: 'number' }
const duration: ChartNode = { kind: 'duration' }
const strings: ChartNode = { kind: 'list', of: str }
const open: ChartNode = { kind: 'open' }
const obj = (keys: Record<string, ChartNode>): ChartNode => ({ kind: 'object', keys })
const list = (of: ChartNode): ChartNode => ({ kind: 'list', of })

/** `tls` of a client connection (§2.1): the chart spells it `useSystemCAPool`. */
const tls = obj({
  caPool: { kind: 'stringOrList' },
  keyFile: str,
  certFile: str,
  useSystemCAPool: bool,
  crl: obj({ enabled: bool }),
})

/** The `http` block of an authorization endpoint or provider (§2.1, §7.2). */
const http = obj({
  maxIdleConns: num,
  maxConnsPerHost: num,
  maxIdleConnsPerHost: num,
  idleConnTimeout: duration,
  timeout: duration,
  tls,
})

const endpoint = obj({ authority: str, http })

/** An `authorization` validator block (§2.1). */
const authorization = obj({
  ownerClaim: str,
  audience: str,
  endpoints: list(endpoint),
  tokenTrustVerification: obj({ cacheExpiration: duration }),
})

/** The hub's `authorization.provider` in an enrollment group (§7.2). */
const provider = obj({
  name: str,
  authority: str,
  clientID: str,
  clientId: str,
  clientSecret: str,
  clientSecretFile: str,
  scopes: strings,
  audience: str,
  http,
})

/** One hub of an enrollment group (`hub:` or each `hubs[]` item, §7.2). */
const hub = obj({
  hubId: str,
  name: str,
  caPool: str,
  caPoolFile: str,
  coapGateway: str,
  gateways: strings,
  certificateAuthority: obj({
    grpc: obj({
      address: str,
      keepAlive: obj({ time: duration, timeout: duration, permitWithoutStream: bool }),
      tls,
    }),
  }),
  authorization: obj({
    ownerClaim: str,
    deviceIdClaim: str,
    provider,
  }),
})

const enrollmentGroup = obj({
  id: str,
  owner: str,
  name: str,
  preSharedKey: str,
  attestationMechanism: obj({
    x509: obj({
      certificateChain: str,
      certificateChainFile: str,
      expiredCertificateEnabled: bool,
    }),
  }),
  hub,
  hubs: list(hub),
})

/** A coap-gateway device provider (§7.2). */
const coapProvider = obj({
  name: str,
  clientID: str,
  clientSecret: str,
  clientSecretFile: str,
  grantType: str,
  scopes: strings,
  audience: str,
  redirectURL: str,
  authority: str,
  http,
})

/** `m2moauthserver.oauthSigner.clients[]`, the keys the template renders (§7.1). */
const m2mClient = obj({
  id: str,
  secretFile: str,
  accessTokenLifetime: duration,
  allowedGrantTypes: strings,
  allowedAudiences: strings,
  allowedScopes: strings,
  insertTokenClaims: open,
  jwtPrivateKey: obj({
    enabled: bool,
    authorization: obj({
      audience: str,
      endpoints: list(endpoint),
      tokenTrustVerification: obj({ cacheExpiration: duration }),
    }),
  }),
})

export const PLGD_CHART_VALUES: ChartNode = obj({
  global: obj({
    domain: str,
    hubId: str,
    ownerClaim: str,
    deviceIdClaim: str,
    authority: str,
    audience: str,
    authorization: authorization,
    extraCAPool: obj({ authorization: str, coap: str, internal: str, storage: str }),
    m2mOAuthServer: obj({ privateKey: str }),
    oauth: obj({ device: list(coapProvider) }),
  }),
  m2moauthserver: obj({
    enabled: bool,
    domain: str,
    privateKey: obj({ enabled: bool, mountPath: str, fileName: str }),
    oauthSigner: obj({
      ownerClaim: str,
      deviceIdClaim: str,
      privateKeyFile: str,
      clients: list(m2mClient),
    }),
  }),
  deviceProvisioningService: obj({
    enrollmentGroups: list(enrollmentGroup),
    apis: obj({ http: obj({ authorization }) }),
  }),
  coapgateway: obj({
    apis: obj({ coap: obj({ authorization: obj({ providers: list(coapProvider) }) }) }),
  }),
})

/** One problem: where (a dotted path with `[i]` for list items) and what. */
export interface ChartProblem {
  path: string
  problem: string
}

const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$|^0$/

/**
 * Every unknown key and wrong type in `values` against the chart's structure (default: the
 * plgd-hub chart as described above). An empty list means the values fit the chart.
 */
export function checkChartValues(
  values: unknown,
  schema: ChartNode = PLGD_CHART_VALUES,
): ChartProblem[] {
  const problems: ChartProblem[] = []
  walk(values, schema, '', problems)
  return problems
}

function walk(value: unknown, node: ChartNode, path: string, out: ChartProblem[]): void {
  const at = path || '(root)'
  const wrong = (expected: string): void => {
    out.push({ path: at, problem: `expected ${expected}, got ${describe(value)}` })
  }
  switch (node.kind) {
    case 'string':
      if (typeof value !== 'string') wrong('a string')
      return
    case 'boolean':
      if (typeof value !== 'boolean') wrong('a boolean')
      return
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) wrong('a number')
      return
    case 'duration':
      if (typeof value !== 'string' || !GO_DURATION.test(value)) wrong('a Go duration (`10s`)')
      return
    case 'stringOrList':
      if (typeof value === 'string') return
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return
      wrong('a string or a list of strings')
      return
    case 'list':
      if (!Array.isArray(value)) return wrong('a list')
      value.forEach((item, i) => walk(item, node.of, `${path}[${i}]`, out))
      return
    case 'open':
      if (!isPlainObject(value)) wrong('a map')
      return
    case 'object':
      if (!isPlainObject(value)) return wrong('a map')
      for (const [key, child] of Object.entries(value)) {
        const childPath = path ? `${path}.${key}` : key
        const childNode = node.keys[key]
        if (!childNode) {
          out.push({ path: childPath, problem: 'unknown key: the chart does not read it' })
          continue
        }
        walk(child, childNode, childPath, out)
      }
      return
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`
  return typeof value === 'object' ? 'a map' : `${typeof value} ${String(value)}`
}
